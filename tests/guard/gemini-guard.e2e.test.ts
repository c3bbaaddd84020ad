import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { functionResponses, startFakeGemini, type FakeGeminiServer, type GeminiStep } from '../helpers/fake-gemini.js';
import { installedHarness } from '../helpers/harness-install.js';
import { hookTimes, timeHooks } from '../helpers/hook-times.js';
import { runGemini, type GeminiRun } from '../helpers/run-gemini.js';
import { tempDataDir } from '../helpers/store.js';
import { installGuard } from './setup.js';

/*
 * Issue 14 end to end with the real Gemini CLI 0.61.0: our guard, installed by the real
 * `fulcrum guard install gemini`, answers the CLI's hooks while a scripted fake Gemini API plays
 * the model. Evidence is what the model was sent next (the fake's recorded requests), what the
 * commands left on disk, the guard's state file, and (observe mode) what a real Fulcrum server
 * stored. Gemini's tool hooks carry no call id: the guard pairs BeforeTool and AfterTool by tool
 * and arguments. The hook dialect these rest on is pinned in gemini-binary.test.ts.
 */

const gemini = await installedHarness('gemini-cli');

const GUARD_REFUSAL = 'Fulcrum guard refused this call';
const BLOCKED = 'Tool execution blocked: ';

let openServers: FakeGeminiServer[] = [];
afterEach(async () => {
  await Promise.all(openServers.map((s) => s.close()));
  openServers = [];
});

interface GuardedOptions {
  /** The model's script, or a function of the workdir that makes it (for absolute paths). */
  steps: GeminiStep[] | ((workdir: string) => GeminiStep[]);
  /** Install the guard in this mode. */
  mode: 'observe' | 'warn' | 'enforce';
  /** A fulcrum.config.json body for `--config`. @default undefined */
  config?: unknown;
  /** `--server` of the install. @default undefined */
  server?: string;
  /** Where install writes: `~/.gemini/settings.json` (--user) or `<workdir>/.gemini/settings.json`. @default 'user' */
  install?: 'user' | 'project';
  /** Files to create in the workdir before the run. @default {} */
  files?: Record<string, string>;
  /** Model asked for (`-m`). @default the CLI's own (gemini-3.1-pro-preview) */
  model?: string;
  /** Rewrites the installed settings.json before the run (timing probes). @default none */
  afterInstall?: (settingsFile: string) => void;
}

interface Guarded {
  workdir: string;
  stateDir: string;
  settingsFile: string;
  api: FakeGeminiServer;
  run: GeminiRun;
  /** The session id Gemini CLI reported. */
  sessionId: string;
}

/** Prepares a workdir, installs the guard through the CLI into the runner's HOME (or the project), and runs one `gemini -p`. */
async function guarded(options: GuardedOptions): Promise<Guarded> {
  const root = tempDataDir('gemini-guard-');
  const workdir = join(root, 'work');
  const home = join(root, 'home');
  const userHome = join(home, 'user-home');
  const stateDir = join(root, 'state');
  mkdirSync(workdir, { recursive: true });
  mkdirSync(userHome, { recursive: true });
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(workdir, name), content, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  const project = options.install === 'project';
  const settingsFile = project ? join(workdir, '.gemini', 'settings.json') : join(userHome, '.gemini', 'settings.json');
  const installed = await installGuard('gemini-cli', { projectDir: project ? workdir : undefined, mode: options.mode, stateDir, config: options.config, server: options.server, root, env: { HOME: userHome } });
  expect(installed.status, installed.stderr).toBe(0);
  expect(installed.stdout).toContain(`in ${settingsFile}\n`);
  expect(JSON.parse(readFileSync(settingsFile, 'utf8'))).toMatchObject({ hooksConfig: { enabled: true } });
  options.afterInstall?.(settingsFile);
  const api = await startFakeGemini({ steps: typeof options.steps === 'function' ? options.steps(workdir) : options.steps });
  openServers.push(api);
  const run = await runGemini({ bin: gemini!.bin, baseUrl: api.baseUrl, home, workdir, prompt: 'Get the checks to pass', model: options.model, timeoutMs: 60_000 });
  expect(run.exitCode, `gemini failed:\n${run.stderr.slice(-3000)}`).toBe(0);
  expect(run.output, run.stdout).toBeDefined();
  return { workdir, stateDir, settingsFile, api, run, sessionId: String(run.output!.session_id) };
}

/** The guard's own log: empty unless it failed open somewhere. */
const guardLog = (stateDir: string) => (existsSync(join(stateDir, 'guard.log')) ? readFileSync(join(stateDir, 'guard.log'), 'utf8') : '');

interface GuardStateFile {
  sessionId: string;
  calls: { span: { toolName: string; success: boolean }; settled: boolean; denied: boolean }[];
  model: { calls: number; spendUsd: number };
  outbox: { policy: string; decision: string; toolName: string; reason: string }[];
}
/** The one session state file the guard kept. */
function stateOf(stateDir: string): GuardStateFile {
  const files = existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith('.json')) : [];
  expect(files, `state files in ${stateDir}`).toHaveLength(1);
  return JSON.parse(readFileSync(join(stateDir, files[0]!), 'utf8')) as GuardStateFile;
}

/** What the model was given for each of its tool calls, in order (the last request holds them all). */
const responsesOf = (api: FakeGeminiServer) => functionResponses(api.conversationBodies().at(-1) ?? {}).map((r) => r.response ?? {});
const outputText = (r: Record<string, unknown>) => String(r.output ?? r.error ?? '');

const shell = (command: string, description = 'Run it'): GeminiStep => ({ functionCall: { name: 'run_shell_command', args: { command, description } } });

/** A check script that fails every time and counts its runs in runs.log: its command line is the same each time. */
const FAILING_CHECKS = { 'run_checks.sh': '#!/bin/sh\necho run >> runs.log\necho "2 checks failed: test_parse, test_emit" >&2\nexit 3\n' };
const FAILING_COMMAND = './run_checks.sh';
const runsOf = (workdir: string) => (existsSync(join(workdir, 'runs.log')) ? readFileSync(join(workdir, 'runs.log'), 'utf8').split('\n').filter(Boolean).length : 0);
/**
 * The same call n times, arguments and all. Gemini CLI's own loop detection ends the session when
 * the model asks for a 5th call identical to the four before it ("Loop detected, stopping
 * execution"), before that call runs or any hook is asked: the guard acts on runs 3 and 4.
 */
const retries = (n: number): GeminiStep[] => [...Array.from({ length: n }, () => shell(FAILING_COMMAND, 'Run the checks')), { text: 'I could not get the checks to pass.' }];
const GEMINI_LOOP_STOP = { response: '', warnings: ['Loop detected, stopping execution'] };

describe.skipIf(gemini === undefined)('fulcrum guard with the real Gemini CLI 0.61.0', { timeout: 60_000 }, () => {
  it('enforce: runs 1-2 of a failing command execute, the 3rd-4th are denied and the model reads "Tool execution blocked: <reason>"; Gemini CLI itself ends the 5th', async () => {
    const s = await guarded({ steps: retries(5), mode: 'enforce', files: FAILING_CHECKS });
    expect(runsOf(s.workdir)).toBe(2);
    const responses = responsesOf(s.api);
    expect(responses).toHaveLength(4);
    for (const ran of responses.slice(0, 2)) expect(outputText(ran)).toMatch(/2 checks failed: test_parse, test_emit[\s\S]*Exit Code: 3/);
    for (const denied of responses.slice(2)) {
      expect(Object.keys(denied)).toEqual(['error']);
      expect(String(denied.error).startsWith(`${BLOCKED}${GUARD_REFUSAL}: \`${FAILING_COMMAND}\` already failed`), String(denied.error)).toBe(true);
      expect(String(denied.error)).toContain('2 checks failed: test_parse, test_emit');
    }
    expect(String(responses[2]!.error)).toContain('already failed 2 times in this session (first at step 1)');
    // The reason is the first thing the model was told after asking for the 3rd run.
    expect(functionResponses(s.api.conversationBodies()[3]!).at(-1)?.response).toEqual(responses[2]);
    const state = stateOf(s.stateDir);
    expect(state.sessionId).toBe(s.sessionId);
    expect(state.calls.map((c) => [c.settled, c.span.success, c.denied])).toEqual([
      [true, false, false], [true, false, false], [true, false, true], [true, false, true],
    ]);
    expect(s.run.output).toMatchObject(GEMINI_LOOP_STOP);
    expect(guardLog(s.stateDir)).toBe('');
  });

  it('budget: the call that reaches budgets.sessionUsd stops the agent (continue:false): it never runs and the model is not asked again (gemini-2.5-pro, priced)', async () => {
    const steps: GeminiStep[] = [...Array.from({ length: 5 }, (_, n) => shell(`echo step-${n} >> steps.log`)), { text: 'never reached' }];
    // The fake's usage per response n (fake-gemini.ts) at gemini-2.5-pro's price (input $1.25, cached $0.125, output $10 per M; thoughts bill as output).
    const cost = (n: number) => {
      const prompt = 2000 + 400 * n;
      const cached = n === 0 ? 0 : 1500 + 400 * n;
      return ((prompt - cached) * 1.25 + cached * 0.125 + (25 + 5 * n + 12) * 10) / 1e6;
    };
    const budget = cost(0) + cost(1) - 1e-6;
    const s = await guarded({ steps, mode: 'enforce', model: 'gemini-2.5-pro', config: { budgets: { sessionUsd: budget } } });
    const state = stateOf(s.stateDir);
    expect(state.model.calls).toBe(2);
    expect(state.model.spendUsd).toBeCloseTo(cost(0) + cost(1), 12);
    // Call 0 ran at cost(0); call 1 came at cost(0)+cost(1) >= budget: refused, and the agent stopped there.
    expect(readFileSync(join(s.workdir, 'steps.log'), 'utf8')).toBe('step-0\n');
    expect(s.api.conversationBodies()).toHaveLength(2);
    expect(s.run.output).toMatchObject({ response: '' });
    expect(s.run.stderr).toMatch(/Agent execution stopped by hook: Fulcrum guard stopped this session: .*spent \$[\d.]+ in its current 60-minute window, reaching its budget of \$[\d.]+\. No further tool calls are allowed/);
    expect(state.outbox.map((i) => [i.policy, i.decision, i.toolName])).toEqual([['budget', 'stopped', 'run_shell_command']]);
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
      expect(runsOf(s.workdir)).toBe(4);
      expect(s.run.output).toMatchObject(GEMINI_LOOP_STOP);
      const responses = responsesOf(s.api);
      expect(responses.filter((r) => r.error !== undefined)).toEqual([]);
      expect(responses.filter((r) => outputText(r).includes('Fulcrum guard'))).toEqual([]);
      await server.app.spanWriter.flush();
      const stored = await (await server.app.store.client.query({
        query: `SELECT ToolName, ToolCallId, GuardPolicy, GuardDecision, Harness, ServiceName FROM spans FINAL
WHERE SessionId = {sid:String} AND SpanName = 'fulcrum.guard' ORDER BY Timestamp`,
        query_params: { sid: s.sessionId },
        format: 'JSONEachRow',
      })).json<Record<string, unknown>>();
      // Runs 3-4 are the breaker's; Gemini CLI gives no call ids.
      const observed = { ToolName: 'run_shell_command', ToolCallId: '', GuardPolicy: 'failing_command', GuardDecision: 'observed', Harness: 'gemini-cli', ServiceName: 'fulcrum-guard' };
      expect(stored).toEqual([observed, observed]);
      expect(stateOf(s.stateDir).outbox).toEqual([]);
      expect(guardLog(s.stateDir)).toBe('');
    });
  });

  it('no false denials (project settings, every tool hooked): read, replace, re-read, other file, fail-then-succeed; the one unchanged re-read gets its note', async () => {
    const flaky = 'if [ -f .ok ]; then echo ok; else touch .ok; echo "not yet" >&2; exit 1; fi';
    const read = (file: string): GeminiStep => ({ functionCall: { name: 'read_file', args: { file_path: file } } });
    const s = await guarded({
      steps: (workdir) => [
        read(join(workdir, 'a.txt')),
        { functionCall: { name: 'replace', args: { file_path: join(workdir, 'a.txt'), instruction: 'capitalise', old_string: 'alpha', new_string: 'ALPHA' } } },
        read(join(workdir, 'a.txt')),
        read(join(workdir, 'b.txt')),
        read(join(workdir, 'b.txt')),
        shell(flaky),
        shell(flaky),
        { text: 'done' },
      ],
      mode: 'enforce', install: 'project', files: { 'a.txt': 'alpha\n', 'b.txt': 'beta\n' },
    });
    const responses = responsesOf(s.api);
    expect(responses).toHaveLength(7);
    expect(responses.filter((r) => r.error !== undefined)).toEqual([]);
    expect(readFileSync(join(s.workdir, 'a.txt'), 'utf8')).toBe('ALPHA\n');
    expect(outputText(responses[2]!)).toContain('ALPHA');
    expect(outputText(responses[5]!)).toMatch(/not yet[\s\S]*Exit Code: 1/);
    expect(outputText(responses[6]!)).toMatch(/ok/);
    // The only note: b.txt read twice with nothing between, appended to that result. None after an edit, a different file or a command.
    const noted = responses.map((r, i) => [i, outputText(r)] as const).filter(([, t]) => t.includes('Fulcrum guard'));
    expect(noted.map(([i]) => i)).toEqual([4]);
    expect(noted[0]![1]).toMatch(/<hook_context>Fulcrum guard: .*b\.txt has not changed since you read it at step 4; .*<\/hook_context>$/);
    // Project settings hook every tool: the guard saw each call, and each outcome.
    const state = stateOf(s.stateDir);
    expect(state.calls.map((c) => [c.span.toolName, c.settled, c.span.success, c.denied])).toEqual([
      ['read_file', true, true, false], ['replace', true, true, false], ['read_file', true, true, false], ['read_file', true, true, false],
      ['read_file', true, true, false], ['run_shell_command', true, false, false], ['run_shell_command', true, true, false],
    ]);
    expect(guardLog(s.stateDir)).toBe('');
  });

  it('hook wall time as Gemini CLI runs it, over a 40-call session (enforce): every hook answered, nothing failed open', async () => {
    const log = join(tempDataDir('gemini-hook-times-'), 'times.log');
    const calls = 40;
    const s = await guarded({
      steps: [...Array.from({ length: calls }, (_, n) => shell(n % 2 ? `cat f${n - 1}.txt` : `echo ${n} > f${n}.txt`)), { text: 'done' }],
      mode: 'enforce', afterInstall: (file) => timeHooks(file, log),
    });
    expect(responsesOf(s.api).filter((r) => r.error !== undefined)).toEqual([]);
    const t = hookTimes(log);
    console.log(`gemini hook wall time over ${t.count} hook calls: p50 ${t.p50.toFixed(1)} ms, p99 ${t.p99.toFixed(1)} ms (session ${s.run.durationMs.toFixed(0)} ms)`);
    expect(t.byEvent).toEqual({ BeforeAgent: 1, BeforeTool: calls, AfterTool: calls, AfterAgent: 1 });
    expect(stateOf(s.stateDir).calls).toHaveLength(calls);
    expect(guardLog(s.stateDir)).toBe('');
  }, 120_000);
});
