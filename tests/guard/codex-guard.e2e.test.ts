import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { startFakeOpenAIResponses, toolOutputs, type FakeResponsesServer, type ResponsesInputItem, type ResponsesStep } from '../helpers/fake-openai-responses.js';
import { installedHarness } from '../helpers/harness-install.js';
import { hookTimes, timeHooks } from '../helpers/hook-times.js';
import { runCodex, type CodexRun } from '../helpers/run-codex.js';
import { tempDataDir } from '../helpers/store.js';
import { installGuard } from './setup.js';

/*
 * Issue 14 end to end with the real Codex 0.169.0: our guard, installed by the real
 * `fulcrum guard install codex`, answers the binary's hooks while a scripted fake Responses
 * server plays the model. Evidence is what the model was sent next (the fake's recorded
 * requests), what the commands left on disk, the guard's state file, and (observe mode) what a
 * real Fulcrum server stored. Codex's PostToolUse carries no exit code: every outcome the
 * breaker acts on here was read from the rollout transcript. The hook dialect these rest on is
 * pinned in codex-binary.test.ts.
 */

const codex = await installedHarness('codex');

const GUARD_REFUSAL = 'Fulcrum guard refused this call';
const BLOCKED = 'Command blocked by PreToolUse hook: ';

let openServers: FakeResponsesServer[] = [];
afterEach(async () => {
  await Promise.all(openServers.map((s) => s.close()));
  openServers = [];
});

interface GuardedOptions {
  /** The model's script. */
  steps: ResponsesStep[];
  /** Install the guard in this mode; undefined installs nothing. @default undefined */
  mode?: 'observe' | 'warn' | 'enforce';
  /** A fulcrum.config.json body for `--config`. @default undefined */
  config?: unknown;
  /** `--server` of the install. @default undefined */
  server?: string;
  /** Where install writes: `$CODEX_HOME/hooks.json` (--user) or `<workdir>/.codex/hooks.json`. @default 'user' */
  install?: 'user' | 'project';
  /** Files to create in the workdir before the run. @default {} */
  files?: Record<string, string>;
  /** Model asked for. @default 'gpt-5.5' */
  model?: string;
  /** Pass --dangerously-bypass-hook-trust. @default true */
  bypassHookTrust?: boolean;
  /** TOML appended to config.toml, given the session's folders. @default none */
  configExtra?: (dirs: { workdir: string; codexHome: string }) => Promise<string> | string;
  /** Rewrites the installed hooks.json before the run (timing probes). @default none */
  afterInstall?: (hooksFile: string) => void;
}

interface Guarded {
  root: string;
  /** What `fulcrum guard install` printed. */
  installOutput: string;
  /** The runner's home (CODEX_HOME is its codex-home). */
  home: string;
  workdir: string;
  stateDir: string;
  hooksFile: string;
  api: FakeResponsesServer;
  run: CodexRun;
  /** The session (thread) id Codex reported. */
  sessionId: string;
}

/** Prepares a workdir, installs the guard through the CLI into the runner's CODEX_HOME (or the project), and runs one `codex exec`. */
async function guarded(options: GuardedOptions): Promise<Guarded> {
  const root = tempDataDir('codex-guard-');
  const workdir = join(root, 'work');
  const home = join(root, 'home');
  const codexHome = join(home, 'codex-home');
  const stateDir = join(root, 'state');
  mkdirSync(workdir, { recursive: true });
  mkdirSync(codexHome, { recursive: true });
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(workdir, name), content, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  const project = options.install === 'project';
  const hooksFile = project ? join(workdir, '.codex', 'hooks.json') : join(codexHome, 'hooks.json');
  let installOutput = '';
  if (options.mode) {
    const installed = await installGuard('codex', { projectDir: project ? workdir : undefined, mode: options.mode, stateDir, config: options.config, server: options.server, root, env: { CODEX_HOME: codexHome, HOME: join(home, 'user-home') } });
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`in ${hooksFile}\n`);
    options.afterInstall?.(hooksFile);
    installOutput = installed.stdout;
  }
  const api = await startFakeOpenAIResponses({ steps: options.steps });
  openServers.push(api);
  const run = await runCodex({
    bin: codex!.bin, baseUrl: api.baseUrl, home, workdir, prompt: 'Get the checks to pass', model: options.model, timeoutMs: 60_000,
    // 0.169.0 has hooks on by default: the guard needs no [features] entry (every run here proves it).
    hooksFeature: false,
    bypassHookTrust: options.bypassHookTrust,
    configExtra: options.configExtra ? await options.configExtra({ workdir, codexHome }) : undefined,
  });
  expect(run.exitCode, `codex failed:\n${run.stderr.slice(-3000)}`).toBe(0);
  const started = run.events.find((e) => e.type === 'thread.started');
  expect(started, run.stdout).toBeDefined();
  return { root, installOutput, home, workdir, stateDir, hooksFile, api, run, sessionId: String(started!.thread_id) };
}

/** The guard's own log: empty unless it failed open somewhere. */
const guardLog = (stateDir: string) => (existsSync(join(stateDir, 'guard.log')) ? readFileSync(join(stateDir, 'guard.log'), 'utf8') : '');

interface GuardStateFile {
  sessionId: string;
  outbox: { policy: string; decision: string; toolName: string; reason: string }[];
  calls: { callId: string; span: { success: boolean }; settled: boolean; denied: boolean }[];
  model: { calls: number; spendUsd: number };
}
/** The one session state file the guard kept. */
function stateOf(stateDir: string): GuardStateFile {
  const files = existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith('.json')) : [];
  expect(files, `state files in ${stateDir}`).toHaveLength(1);
  return JSON.parse(readFileSync(join(stateDir, files[0]!), 'utf8')) as GuardStateFile;
}

/** The last request's input: every call and output of the session, in order. */
const lastInput = (api: FakeResponsesServer): ResponsesInputItem[] => api.responsesBodies().at(-1)?.input ?? [];
/** What the model was given for each of its tool calls, in order. */
const outputsOf = (api: FakeResponsesServer) => toolOutputs({ input: lastInput(api) }).map((o) => String(o.output));
/** The call ids of the model's tool calls, in order. */
const callIdsOf = (api: FakeResponsesServer) => lastInput(api).filter((i) => i.type === 'function_call' || i.type === 'custom_tool_call').map((i) => String(i.call_id));
/** Developer messages Codex added for hooks (additionalContext), as plain texts. */
const guardNotes = (api: FakeResponsesServer) =>
  lastInput(api)
    .filter((i) => i.type === 'message' && i.role === 'developer')
    .flatMap((i) => (Array.isArray(i.content) ? (i.content as { text?: string }[]) : []).map((c) => c.text ?? ''))
    .filter((t) => t.includes('Fulcrum guard'));

const exec = (cmd: string): ResponsesStep => ({ functionCall: { name: 'exec_command', arguments: { cmd } } });

/** A check script that fails every time and counts its runs in runs.log: its command line is the same each time. */
const FAILING_CHECKS = { 'run_checks.sh': '#!/bin/sh\necho run >> runs.log\necho "2 checks failed: test_parse, test_emit" >&2\nexit 3\n' };
const FAILING_COMMAND = './run_checks.sh';
const runsOf = (workdir: string) => (existsSync(join(workdir, 'runs.log')) ? readFileSync(join(workdir, 'runs.log'), 'utf8').split('\n').filter(Boolean).length : 0);
const retries = (n: number): ResponsesStep[] => [...Array.from({ length: n }, () => exec(FAILING_COMMAND)), { text: 'I could not get the checks to pass.' }];

describe.skipIf(codex === undefined)('fulcrum guard with the real Codex 0.169.0', { timeout: 60_000 }, () => {
  it('enforce: runs 1-2 of a failing command execute, the 3rd-5th are denied and the model reads the reason, from outcomes Codex only wrote to its rollout', async () => {
    const s = await guarded({ steps: retries(5), mode: 'enforce', files: FAILING_CHECKS });
    expect(runsOf(s.workdir)).toBe(2);
    const outputs = outputsOf(s.api);
    expect(outputs).toHaveLength(5);
    for (const ran of outputs.slice(0, 2)) expect(ran).toMatch(/Process exited with code 3[\s\S]*2 checks failed: test_parse, test_emit/);
    for (const denied of outputs.slice(2)) {
      expect(denied.startsWith(`${BLOCKED}${GUARD_REFUSAL}: \`${FAILING_COMMAND}\` already failed`), denied).toBe(true);
      expect(denied).toContain('2 checks failed: test_parse, test_emit');
      expect(denied.endsWith(`. Command: ${FAILING_COMMAND}`)).toBe(true);
    }
    expect(outputs[2]).toContain('already failed 2 times in this session (first at step 1)');
    // The reason is the first thing the model was told after asking for the 3rd run.
    expect(String(toolOutputs(s.api.responsesBodies()[3]!).at(-1)?.output)).toBe(outputs[2]);
    expect(commandEvents(s.run)).toBe(2);
    const state = stateOf(s.stateDir);
    expect(state.sessionId).toBe(s.sessionId);
    // Codex's PostToolUse said nothing of the exit code: the two runs were settled as failures from the rollout.
    expect(state.calls.map((c) => [c.settled, c.span.success, c.denied])).toEqual([
      [true, false, false], [true, false, false], [true, false, true], [true, false, true], [true, false, true],
    ]);
    expect(s.run.events.find((e) => e.type === 'item.completed' && (e.item as { type?: string }).type === 'agent_message')).toMatchObject({ item: { text: 'I could not get the checks to pass.' } });
    expect(guardLog(s.stateDir)).toBe('');
  });

  it('budget: once the session reaches budgets.sessionUsd every further call is denied, and the next prompt of the session is blocked (gpt-5.1, priced)', async () => {
    const steps = [...Array.from({ length: 5 }, (_, n) => exec(`echo step-${n} >> steps.log`)), { text: 'stopped' }];
    // The fake's usage per response n (fake-openai-responses.ts) at gpt-5.1's price (input $1.25, cached $0.125, output $10 per M).
    const cost = (n: number) => {
      const input = 1000 + 300 * n;
      const cached = n === 0 ? 0 : 800 + 300 * n;
      return ((input - cached) * 1.25 + cached * 0.125 + (30 + 5 * n) * 10) / 1e6;
    };
    const budget = cost(0) + cost(1) - 1e-6;
    const s = await guarded({ steps, mode: 'enforce', model: 'gpt-5.1', config: { budgets: { sessionUsd: budget } } });
    const outputs = outputsOf(s.api);
    expect(outputs).toHaveLength(5);
    const state = stateOf(s.stateDir);
    // Every response the model gave was read from the rollout and priced.
    expect(state.model.calls).toBe(6);
    expect(state.model.spendUsd).toBeCloseTo([0, 1, 2, 3, 4, 5].reduce((t, n) => t + cost(n), 0), 12);
    const ran = readFileSync(join(s.workdir, 'steps.log'), 'utf8').split('\n').filter(Boolean);
    // Response n (and its usage) is in the rollout before call n runs: call 1 comes at spend cost(0)+cost(1) >= budget.
    expect(ran).toEqual(['step-0']);
    for (const denied of outputs.slice(1)) {
      expect(denied).toMatch(/^Command blocked by PreToolUse hook: Fulcrum guard stopped this session: .*spent \$[\d.]+ in its current 60-minute window, reaching its budget of \$[\d.]+\. No further tool calls are allowed/);
    }
    // No hook answer ends a running `codex exec`; the session's next prompt is refused before any model request.
    const asked = s.api.responsesBodies().length;
    const next = await runCodex({
      bin: codex!.bin, baseUrl: s.api.baseUrl, home: s.home, workdir: s.workdir, prompt: 'Go on', model: 'gpt-5.1', hooksFeature: false, resumeSessionId: s.sessionId, timeoutMs: 60_000,
    });
    expect(next.exitCode, next.stderr.slice(-2000)).toBe(0);
    expect(next.events.map((e) => e.type)).toContain('turn.completed');
    expect(s.api.responsesBodies()).toHaveLength(asked);
    expect(stateOf(s.stateDir).outbox.map((i) => [i.policy, i.decision, i.toolName])).toEqual([
      ...Array.from({ length: 4 }, () => ['budget', 'stopped', 'Bash']),
      ['budget', 'stopped', ''],
    ]);
    expect(guardLog(s.stateDir)).toBe('');
  });

  describe('observe, recording in a listening Fulcrum server', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
    });
    afterAll(async () => server?.close());

    it('nothing is denied, and each decision is stored as a fulcrum.guard span of the session, decision "observed"', async () => {
      const s = await guarded({ steps: retries(5), mode: 'observe', files: FAILING_CHECKS, server: server.url });
      expect(runsOf(s.workdir)).toBe(5);
      expect(outputsOf(s.api).filter((o) => o.startsWith(BLOCKED))).toEqual([]);
      expect(guardNotes(s.api)).toEqual([]);
      await server.app.spanWriter.flush();
      const stored = await (await server.app.store.client.query({
        query: `SELECT ToolCallId, GuardPolicy, GuardDecision, Harness, ServiceName FROM spans FINAL
WHERE SessionId = {sid:String} AND SpanName = 'fulcrum.guard' ORDER BY Timestamp, ToolCallId`,
        query_params: { sid: s.sessionId },
        format: 'JSONEachRow',
      })).json<Record<string, unknown>>();
      const ids = callIdsOf(s.api);
      // Runs 3-5 are the breaker's: each recorded against its own call, none of them acted on.
      expect(stored).toEqual(ids.slice(2).map((id) => ({ ToolCallId: id, GuardPolicy: 'failing_command', GuardDecision: 'observed', Harness: 'codex', ServiceName: 'fulcrum-guard' })));
      // Everything was sent: nothing waits in the outbox.
      expect(stateOf(s.stateDir).outbox).toEqual([]);
      expect(guardLog(s.stateDir)).toBe('');
    });
  });

  it('hook wall time as Codex runs it, over a 40-call session (enforce): every hook answered, nothing failed open', async () => {
    const log = join(tempDataDir('codex-hook-times-'), 'times.log');
    const calls = 40;
    const steps: ResponsesStep[] = [...Array.from({ length: calls }, (_, n) => exec(n % 2 ? `cat f${n - 1}.txt` : `echo ${n} > f${n}.txt`)), { text: 'done' }];
    const s = await guarded({ steps, mode: 'enforce', afterInstall: (file) => timeHooks(file, log) });
    expect(outputsOf(s.api).filter((o) => o.startsWith(BLOCKED))).toEqual([]);
    const t = hookTimes(log);
    console.log(`codex hook wall time over ${t.count} hook calls: p50 ${t.p50.toFixed(1)} ms, p99 ${t.p99.toFixed(1)} ms (session ${s.run.durationMs.toFixed(0)} ms)`);
    expect(t.byEvent).toEqual({ UserPromptSubmit: 1, PreToolUse: calls, PostToolUse: calls, Stop: 1 });
    expect(stateOf(s.stateDir).calls).toHaveLength(calls);
    expect(guardLog(s.stateDir)).toBe('');
  });

  describe('where install writes, and what Codex needs to run it', () => {
    it('$CODEX_HOME/hooks.json (--user) runs only once its hooks are trusted: the /hooks trust in config.toml, or --dangerously-bypass-hook-trust', async () => {
      // Not trusted, no bypass: Codex skips the hooks without a word, and all three runs execute.
      const untrusted = await guarded({ steps: retries(3), mode: 'enforce', files: FAILING_CHECKS, bypassHookTrust: false });
      expect(untrusted.installOutput).toContain('Codex runs these hooks only once you trust them: start codex and trust them in /hooks');
      expect(runsOf(untrusted.workdir)).toBe(3);
      expect(existsSync(untrusted.stateDir)).toBe(false);
      // Trusted as /hooks would trust them: the guard runs and denies the 3rd.
      const trusted = await guarded({
        steps: retries(3), mode: 'enforce', files: FAILING_CHECKS, bypassHookTrust: false,
        configExtra: ({ codexHome, workdir }) => persistedHookTrust(codexHome, workdir),
      });
      expect(runsOf(trusted.workdir)).toBe(2);
      expect(outputsOf(trusted.api)[2]).toContain(GUARD_REFUSAL);
    });

    it('<project>/.codex/hooks.json (--project-dir) is read only in a project trusted in the user config.toml', async () => {
      const untrusted = await guarded({ steps: retries(3), mode: 'enforce', files: FAILING_CHECKS, install: 'project' });
      expect(untrusted.installOutput).toContain(`only in a trusted project ([projects."${untrusted.workdir}"] trust_level = "trusted"`);
      expect(runsOf(untrusted.workdir)).toBe(3);
      expect(existsSync(untrusted.stateDir)).toBe(false);
      const trusted = await guarded({
        steps: retries(3), mode: 'enforce', files: FAILING_CHECKS, install: 'project',
        configExtra: ({ workdir }) => `\n[projects.${JSON.stringify(workdir)}]\ntrust_level = "trusted"\n`,
      });
      expect(runsOf(trusted.workdir)).toBe(2);
      expect(outputsOf(trusted.api)[2]).toContain(GUARD_REFUSAL);
    });
  });

  it('no false denials: read, edit (freeform apply_patch and apply_patch through exec), re-read, other file, fail-then-succeed; the one unchanged re-read gets its note', async () => {
    const patch = (file: string, from: string, to: string) => `*** Begin Patch\n*** Update File: ${file}\n@@\n-${from}\n+${to}\n*** End Patch\n`;
    const flaky = 'if [ -f .ok ]; then echo ok; else touch .ok; echo "not yet" >&2; exit 1; fi';
    const steps: ResponsesStep[] = [
      exec('cat a.txt'),
      { customToolCall: { name: 'apply_patch', input: patch('a.txt', 'alpha', 'ALPHA') } },
      exec('cat a.txt'),
      exec('cat b.txt'),
      exec('cat b.txt'),
      exec(`apply_patch <<'EOF'\n${patch('b.txt', 'beta', 'BETA')}EOF`),
      exec('cat b.txt'),
      exec(flaky),
      exec(flaky),
      { text: 'done' },
    ];
    const s = await guarded({ steps, mode: 'enforce', files: { 'a.txt': 'alpha\n', 'b.txt': 'beta\n' } });
    const outputs = outputsOf(s.api);
    expect(outputs).toHaveLength(9);
    expect(outputs.filter((o) => o.includes(GUARD_REFUSAL) || o.startsWith(BLOCKED))).toEqual([]);
    expect(readFileSync(join(s.workdir, 'a.txt'), 'utf8')).toBe('ALPHA\n');
    expect(readFileSync(join(s.workdir, 'b.txt'), 'utf8')).toBe('BETA\n');
    expect(outputs[2]).toContain('ALPHA');
    expect(outputs[6]).toContain('BETA');
    expect(outputs[7]).toMatch(/Process exited with code 1/);
    expect(outputs[8]).toMatch(/Process exited with code 0[\s\S]*ok/);
    // The only note: b.txt read twice with nothing between. None after an edit, a different file or a command.
    expect(guardNotes(s.api)).toEqual([expect.stringMatching(/^Fulcrum guard: .*b\.txt has not changed since you read it at step 4/)]);
    const notePlace = lastInput(s.api).findIndex((i) => i.type === 'message' && i.role === 'developer' && JSON.stringify(i.content).includes('Fulcrum guard'));
    expect(lastInput(s.api)[notePlace + 1]).toMatchObject({ type: 'function_call_output', call_id: callIdsOf(s.api)[4] });
    expect(guardLog(s.stateDir)).toBe('');
  });
});

/**
 * The hook trust Codex keeps in config.toml, for every hook it finds for `cwd`: what trusting them in
 * the TUI's /hooks writes (`[hooks.state."<file>:<event>:<group>:<hook>"] trusted_hash`), with the
 * hashes the binary's own app server reports (hooks/list).
 */
async function persistedHookTrust(codexHome: string, cwd: string): Promise<string> {
  const child = spawn(codex!.bin, ['app-server'], { env: { PATH: process.env.PATH, HOME: join(codexHome, '..', 'user-home'), CODEX_HOME: codexHome }, stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
  const answer = new Promise<{ key: string; currentHash: string; trustStatus: string }[]>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('codex app-server: no hooks/list answer in 15 s')), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (const line of buffered.split('\n').slice(0, -1)) {
        const m = JSON.parse(line) as { id?: number; result?: { data: { hooks: { key: string; currentHash: string; trustStatus: string }[] }[] } };
        if (m.id === 1) {
          send({ jsonrpc: '2.0', method: 'initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'hooks/list', params: { cwds: [cwd] } });
        }
        if (m.id === 2) {
          clearTimeout(timer);
          resolve(m.result!.data[0]!.hooks);
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
  });
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 'fulcrum-test', version: '0' } } });
  try {
    const hooks = await answer;
    expect(hooks.map((h) => h.trustStatus)).toEqual(['untrusted', 'untrusted', 'untrusted', 'untrusted']);
    return hooks.map((h) => `\n[hooks.state.${JSON.stringify(h.key)}]\ntrusted_hash = ${JSON.stringify(h.currentHash)}\n`).join('');
  } finally {
    child.kill();
  }
}

const commandEvents = (run: CodexRun) => run.events.filter((e) => e.type === 'item.completed' && (e.item as { type?: string }).type === 'command_execution').length;
