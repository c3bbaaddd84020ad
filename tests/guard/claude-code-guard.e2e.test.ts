import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { formatUsd } from '@fulcrum/guard';
import { priceModelCall } from '@fulcrum/vocab';
import { runCli } from '../helpers/cli.js';
import {
  inputTexts, lastMessageBlocks, startFakeAnthropic, toolResults, toolResultText, usageFor,
  type AnthropicStep, type ContentBlock, type FakeAnthropicServer, type MessagesRequestBody,
} from '../helpers/fake-anthropic.js';
import { installedHarness } from '../helpers/harness-install.js';
import { runClaudeCode, type ClaudeCodeRun } from '../helpers/run-claude-code.js';
import { tempDataDir } from '../helpers/store.js';
import { installGuard } from './setup.js';

/*
 * Issue 14 end to end: our guard, installed with the real `fulcrum guard install claude-code`,
 * answering the real Claude Code 2.1.197 binary, which is driven by a scripted fake Anthropic
 * server. Evidence is what the model was sent next (the fake's recorded requests), what the
 * commands left on disk, the stream-json result, and (observe mode) what a real Fulcrum server
 * stored. The hook contract these rest on is pinned in claude-code-binary.test.ts.
 */

const claude = await installedHarness('claude-code');

const GUARD_REFUSAL = 'Fulcrum guard refused this call';

let openServers: FakeAnthropicServer[] = [];
afterEach(async () => {
  await Promise.all(openServers.map((server) => server.close()));
  openServers = [];
});

/** The model Claude Code is told to ask for: the budget test prices the fake's usage at its rates. */
const MODEL = 'claude-sonnet-4-5';

interface GuardedSessionOptions {
  /** The model's script, or a function of the workdir that makes it (file tools need absolute paths). */
  steps: AnthropicStep[] | ((workdir: string) => AnthropicStep[]);
  /** Install the guard in this mode; undefined leaves settings.json as `settings` wrote it. @default undefined */
  mode?: 'observe' | 'warn' | 'enforce';
  /** A fulcrum.config.json body for `--config`. @default undefined (no --config) */
  config?: unknown;
  /** `--server` of the install. @default undefined */
  server?: string;
  /** Files to create in the workdir before the run (name → content; executable when the name ends in .sh). @default {} */
  files?: Record<string, string>;
  /** Kill Claude Code after this long. @default 60_000 */
  timeoutMs?: number;
}

interface GuardedSession {
  root: string;
  workdir: string;
  stateDir: string;
  settingsFile: string;
  api: FakeAnthropicServer;
  run: ClaudeCodeRun;
  /** Claude Code's session id (the hook's session_id). */
  sessionId: string;
}

/** Prepares a workdir, installs the guard through the CLI, and runs one scripted Claude Code session. */
async function guardedSession(options: GuardedSessionOptions, beforeRun?: (s: Omit<GuardedSession, 'api' | 'run' | 'sessionId'>) => Promise<void> | void): Promise<GuardedSession> {
  const root = tempDataDir('claude-guard-');
  const workdir = join(root, 'work');
  const stateDir = join(root, 'state');
  const settingsFile = join(workdir, '.claude', 'settings.json');
  mkdirSync(join(workdir, '.claude'), { recursive: true });
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(workdir, name), content, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  if (options.mode) {
    const installed = await installGuard('claude-code', { projectDir: workdir, mode: options.mode, stateDir, config: options.config, server: options.server, root });
    expect(installed.status, installed.stderr).toBe(0);
  }
  await beforeRun?.({ root, workdir, stateDir, settingsFile });
  const api = await startFakeAnthropic({ steps: typeof options.steps === 'function' ? options.steps(workdir) : options.steps });
  openServers.push(api);
  const run = await runClaudeCode({
    bin: claude!.bin, workdir, home: join(root, 'home'), prompt: 'Get the checks to pass', apiUrl: api.url, timeoutMs: options.timeoutMs ?? 60_000,
    args: ['--model', MODEL],
  });
  // A hook that crashed or printed what Claude Code could not read is only in the transcript: none may have.
  expect(run.timedOut).toBe(false);
  expect(hookErrors(join(root, 'home'))).toEqual([]);
  const init = run.streamJson.find((m) => m.type === 'system' && m.subtype === 'init');
  expect(init, `no init message:\n${run.stdout}\n${run.stderr}`).toBeDefined();
  return { root, workdir, stateDir, settingsFile, api, run, sessionId: String(init!.session_id) };
}

/** Hook failures Claude Code noted in the session's transcript (it goes on without the hook, so the run alone does not show them). */
function hookErrors(home: string): string[] {
  const projects = join(home, '.claude', 'projects');
  if (!existsSync(projects)) return [];
  const errors: string[] = [];
  for (const file of readdirSync(projects, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(projects, file), 'utf8').split('\n')) {
      if (!line.includes('"attachment"')) continue;
      const attachment = (JSON.parse(line) as { attachment?: { type?: string; hookName?: string; stderr?: string } }).attachment;
      if (attachment?.type?.startsWith('hook_') && attachment.type.includes('error')) errors.push(`${attachment.hookName}: ${attachment.stderr?.slice(0, 300)}`);
    }
  }
  return errors;
}

function resultOf(run: ClaudeCodeRun): Record<string, unknown> {
  const result = run.streamJson.find((message) => message.type === 'result');
  expect(result, `no result message in:\n${run.stdout}\n${run.stderr}`).toBeDefined();
  return result!;
}

/** The guard's own log: empty unless it failed open somewhere. */
const guardLog = (stateDir: string) => (existsSync(join(stateDir, 'guard.log')) ? readFileSync(join(stateDir, 'guard.log'), 'utf8') : '');

/** The tool_result each scripted call got, in order, as the model was sent them (the last request holds them all). */
function allToolResults(api: FakeAnthropicServer) {
  const last = api.mainRequests().at(-1)!;
  return toolResults(last).map((block) => ({ text: toolResultText(block), isError: block.is_error === true }));
}

/** Hook reminders the model was given, as plain texts. */
const reminders = (body: MessagesRequestBody) => inputTexts(body).filter((t) => t.includes('hook additional context'));

const read = (file_path: string): AnthropicStep => ({ tool_use: { name: 'Read', input: { file_path } } });
const bash = (command: string): AnthropicStep => ({ tool_use: { name: 'Bash', input: { command, description: 'Run the checks' } } });

/** What the guard prices model call `step` of the fake at (from the transcript, which keeps the usage the fake sent). */
function stepCostUsd(step: number): number {
  const u = usageFor(step);
  const { costUsd, priced } = priceModelCall({ model: MODEL, inputTokens: u.input_tokens, outputTokens: u.output_tokens, cacheReadTokens: u.cache_read_input_tokens, cacheWriteTokens: u.cache_creation_input_tokens });
  expect(priced).toBe(true);
  return costUsd;
}

/**
 * Whether a budget text of the guard's states these figures: its words are the guard's to choose,
 * the dollars (as formatUsd writes them), the window and the share are what the test pins.
 */
function statesBudget(text: string, kind: 'stop' | 'warning', spentUsd: number, budgetUsd: number): boolean {
  const figures = kind === 'stop'
    ? [`spent ${formatUsd(spentUsd)} in its current 525600-minute window, reaching its budget of ${formatUsd(budgetUsd)}.`]
    : [`spent ${formatUsd(spentUsd)} of its ${formatUsd(budgetUsd)} budget for this 525600-minute window (${Math.round((100 * spentUsd) / budgetUsd)}%)`];
  return text.startsWith(kind === 'stop' ? 'Fulcrum guard stopped this session: ' : 'Fulcrum guard: ') && figures.every((f) => text.includes(f));
}

/** The tool_result texts of a stream-json `user` message. */
function toolResultsOf(message: Record<string, unknown>): string[] {
  const content = (message.message as { content?: unknown } | undefined)?.content;
  return Array.isArray(content) ? content.filter((b: ContentBlock) => b.type === 'tool_result').map((b: ContentBlock) => toolResultText(b)) : [];
}

async function rows(server: RunningServer, query: string, query_params: Record<string, unknown>) {
  return (await server.app.store.client.query({ query, query_params, format: 'JSONEachRow' })).json<Record<string, unknown>>();
}

/** A check script that fails every time and counts its runs in runs.log: its command line is the same each time. */
const FAILING_CHECKS = { 'run_checks.sh': '#!/bin/sh\necho run >> runs.log\necho "2 checks failed: test_parse, test_emit" >&2\nexit 3\n' };
const FAILING_COMMAND = './run_checks.sh';
const runsOf = (workdir: string) => (existsSync(join(workdir, 'runs.log')) ? readFileSync(join(workdir, 'runs.log'), 'utf8').split('\n').filter(Boolean).length : 0);
const FIVE_RETRIES: AnthropicStep[] = [...Array.from({ length: 5 }, () => bash(FAILING_COMMAND)), { text: 'I could not get the checks to pass.' }];

describe.skipIf(claude === undefined)('fulcrum guard with the real Claude Code 2.1.197', { timeout: 90_000 }, () => {
  it('enforce: the 3rd run of a failing command is denied with the reason, and so are the 4th and 5th; it ran exactly twice', async () => {
    const s = await guardedSession({ steps: FIVE_RETRIES, mode: 'enforce', files: FAILING_CHECKS });
    expect(runsOf(s.workdir)).toBe(2);
    const results = allToolResults(s.api);
    expect(results).toHaveLength(5);
    expect(results.slice(0, 2)).toEqual([
      { text: expect.stringContaining('Exit code 3'), isError: true },
      { text: expect.stringContaining('Exit code 3'), isError: true },
    ]);
    for (const denied of results.slice(2)) {
      expect(denied.isError).toBe(true);
      expect(denied.text.startsWith(`${GUARD_REFUSAL}: \`${FAILING_COMMAND}\` already failed`)).toBe(true);
      expect(denied.text).toContain('2 checks failed: test_parse, test_emit');
    }
    // The 3rd run's reason is the first thing the model was told after asking for it.
    expect(toolResultText(lastMessageBlocks(s.api.mainRequests()[3]!)[0]!)).toBe(results[2]!.text);
    expect(results[2]!.text).toContain('already failed 2 times in this session (first at step 1)');
    const result = resultOf(s.run);
    expect(result).toMatchObject({ subtype: 'success', terminal_reason: 'completed', result: 'I could not get the checks to pass.' });
    expect(result.permission_denials).toHaveLength(3);
    expect(guardLog(s.stateDir)).toBe('');
  });

  it('enforce: the call at the session budget is denied with the budget reason and the session stops; 80% was warned before', async () => {
    // Spend after model calls 0..k, as the guard prices them from the transcript.
    const spent = (k: number) => Array.from({ length: k + 1 }, (_, step) => stepCostUsd(step)).reduce((a, b) => a + b, 0);
    // At call k's PreToolUse the guard has read model calls 0..k, or only 0..k-1: Claude Code has not
    // always flushed the assistant message that asked for call k to the transcript when it runs the hook
    // (both happen, run to run). So a budget reached by model call 3 stops call 3 or call 4, and an 80%
    // mark passed by model call 1 is warned at call 1 or call 2: before the stop either way.
    const low = Math.max(spent(2), spent(0) / 0.8);
    const high = Math.min(spent(3), spent(1) / 0.8);
    expect(low).toBeLessThan(high);
    const budgetUsd = (low + high) / 2;
    const steps = [...Array.from({ length: 6 }, (_, i) => bash(`echo step ${i} >> steps.log`)), { text: 'Done.' }];
    // A window of a year: a session crossing an hourly window's edge mid-test would start afresh.
    const s = await guardedSession({ steps, mode: 'enforce', config: { budgets: { sessionUsd: budgetUsd, sessionWindowMinutes: 525_600 } } });

    // Every call before the stopped one ran, the stopped one did not, and the model was not asked again.
    const ran = readFileSync(join(s.workdir, 'steps.log'), 'utf8');
    const stopped = ran.split('\n').filter(Boolean).length;
    expect([3, 4]).toContain(stopped);
    expect(ran).toBe(Array.from({ length: stopped }, (_, i) => `step ${i}\n`).join(''));
    expect(s.api.mainRequests()).toHaveLength(stopped + 1);
    const result = resultOf(s.run);
    expect(result).toMatchObject({ subtype: 'success', result: '', terminal_reason: 'hook_stopped' });
    expect(result.permission_denials).toEqual([expect.objectContaining({ tool_name: 'Bash', tool_input: expect.objectContaining({ command: `echo step ${stopped} >> steps.log` }) })]);
    // The refusal, as Claude Code recorded the call's result (stream-json echoes it; the model is not asked again).
    const refusals = s.run.streamJson.flatMap((m) => (m.type === 'user' ? toolResultsOf(m) : [])).filter((t) => t.includes('Fulcrum guard'));
    const stopAt = [spent(stopped - 1), spent(stopped)].filter((usd) => usd >= budgetUsd);
    expect(refusals).toHaveLength(1);
    expect(stopAt.some((usd) => statesBudget(refusals[0]!, 'stop', usd, budgetUsd)), refusals[0]).toBe(true);

    // One 80% warning, with the result of call 1 or 2, and nothing of the guard before it.
    const requests = s.api.mainRequests();
    const warnedAfter = requests.findIndex((body) => reminders(body).length > 0) - 1;
    expect([1, 2]).toContain(warnedAfter);
    const [toolResult, warning, ...rest] = lastMessageBlocks(requests[warnedAfter + 1]!);
    expect(toolResult).toMatchObject({ type: 'tool_result', is_error: false });
    expect(rest).toEqual([]);
    const warnAt = [spent(warnedAfter - 1), spent(warnedAfter)].filter((usd) => usd >= 0.8 * budgetUsd && usd < budgetUsd);
    const prefix = '<system-reminder>\nPostToolUse:Bash hook additional context: ';
    expect(warning!.text?.startsWith(prefix), warning!.text).toBe(true);
    expect(warnAt.some((usd) => statesBudget(warning!.text!.slice(prefix.length), 'warning', usd, budgetUsd)), warning!.text).toBe(true);
    expect(reminders(requests.at(-1)!)).toHaveLength(1);
    expect(guardLog(s.stateDir)).toBe('');
  });

  it('observe with a listening Fulcrum server: nothing is denied, and each would-be denial is stored as a fulcrum.guard span of the session', async () => {
    const server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
    try {
      const s = await guardedSession({ steps: FIVE_RETRIES, mode: 'observe', server: server.url, files: FAILING_CHECKS });
      expect(runsOf(s.workdir)).toBe(5);
      const results = allToolResults(s.api);
      expect(results).toEqual(Array.from({ length: 5 }, () => ({ text: expect.stringContaining('Exit code 3'), isError: true })));
      for (const body of s.api.mainRequests()) expect(inputTexts(body).join('\n')).not.toContain('Fulcrum guard');
      expect(resultOf(s.run).permission_denials).toEqual([]);

      await server.app.spanWriter.flush();
      const stored = await rows(server, `SELECT ToolName, ToolCallId, GuardPolicy, GuardDecision, Harness FROM spans FINAL
WHERE SessionId = {id:String} AND SpanName = 'fulcrum.guard' ORDER BY Timestamp`, { id: s.sessionId });
      // The 3rd, 4th and 5th runs, each with the tool_use id Claude Code gave it.
      const callIds = toolResults(s.api.mainRequests().at(-1)!).map((b) => b.tool_use_id);
      expect(stored).toEqual(callIds.slice(2).map((id) => ({ ToolName: 'Bash', ToolCallId: id, GuardPolicy: 'failing_command', GuardDecision: 'observed', Harness: 'claude-code' })));
      await server.app.analyser.runNow(0);
      // The session view shows each one inline; observed is neither prevented nor a warning the model got.
      const view = await fetch(`${server.url}/api/sessions/${s.sessionId}`);
      expect(view.status).toBe(200);
      const session = (await view.json()) as { prevented: unknown; roots: Array<{ name: string; label: string; guard?: { policy: string; decision: string; mode: string; reason: string; savedUsd: number } }> };
      expect(session.prevented).toEqual({ calls: 0, usd: 0, warnings: 0 });
      expect(session.roots.map((n) => ({ name: n.name, label: n.label, ...n.guard, reason: n.guard?.reason.includes(`\`${FAILING_COMMAND}\` already failed`) }))).toEqual(
        Array.from({ length: 3 }, () => ({ name: 'fulcrum.guard', label: 'Bash', policy: 'failing_command', decision: 'observed', mode: 'observe', reason: true, savedUsd: expect.any(Number) })),
      );
      for (const n of session.roots) expect(n.guard!.savedUsd).toBeGreaterThan(0);
      // Sent, so the outbox is empty.
      const [state] = readdirSync(s.stateDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(s.stateDir, f), 'utf8')) as { outbox: unknown[] });
      expect(state!.outbox).toEqual([]);
      expect(guardLog(s.stateDir)).toBe('');
    } finally {
      await server.close();
    }
  });

  it('enforce, no false denials: a read after an edit, another file, a command that failed then succeeded', async () => {
    const FLAKY = { 'flaky.sh': '#!/bin/sh\nif [ -f .warm ]; then echo ok; exit 0; fi\ntouch .warm\necho "cold cache" >&2\nexit 1\n', 'a.txt': 'alpha = 1\n', 'b.txt': 'beta\n' };
    const steps = (workdir: string): AnthropicStep[] => [
      read(join(workdir, 'a.txt')),
      { tool_use: { name: 'Edit', input: { file_path: join(workdir, 'a.txt'), old_string: 'alpha = 1', new_string: 'alpha = 2' } } },
      read(join(workdir, 'a.txt')),
      read(join(workdir, 'b.txt')),
      // The control: an unchanged re-read gets the guard's note, so its absence above means something.
      read(join(workdir, 'b.txt')),
      bash('./flaky.sh'),
      bash('./flaky.sh'),
      { text: 'Done.' },
    ];
    const s = await guardedSession({ steps, mode: 'enforce', files: FLAKY });
    expect(readFileSync(join(s.workdir, 'a.txt'), 'utf8')).toBe('alpha = 2\n');
    const results = allToolResults(s.api);
    expect(results).toHaveLength(7);
    expect(results.map((r) => r.isError)).toEqual([false, false, false, false, false, true, false]);
    expect(results[2]!.text).toContain('alpha = 2');
    expect(results[6]!.text).toBe('ok');
    for (const r of results) expect(r.text).not.toContain('Fulcrum guard');
    expect(resultOf(s.run)).toMatchObject({ terminal_reason: 'completed', permission_denials: [] });
    const notes = reminders(s.api.mainRequests().at(-1)!);
    expect(notes).toEqual([expect.stringContaining('PostToolUse:Read hook additional context: Fulcrum guard: b.txt has not changed since you read it at step 4;')]);
    expect(guardLog(s.stateDir)).toBe('');
  });

  it('uninstall leaves settings.json exactly as it was, and the next session runs with no guard', async () => {
    let installed: Record<string, unknown> = {};
    let before = '';
    const s = await guardedSession({ steps: FIVE_RETRIES, files: FAILING_CHECKS }, async ({ root, workdir, stateDir, settingsFile }) => {
      const userSettings = {
        permissions: { allow: ['Bash(./run_checks.sh)'], deny: ['Read(./secrets/**)'] },
        hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: `echo user-hook >> '${join(root, 'user-hook.log')}'`, timeout: 5 }] }] },
        includeCoAuthoredBy: false,
      };
      before = `${JSON.stringify(userSettings, null, 2)}\n`;
      writeFileSync(settingsFile, before);
      const install = await runCli(['guard', 'install', 'claude-code', '--project-dir', workdir, '--mode', 'enforce', '--state-dir', stateDir]);
      expect(install.status, install.stderr).toBe(0);
      installed = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
      const uninstall = await runCli(['guard', 'uninstall', 'claude-code', '--project-dir', workdir]);
      expect(uninstall.status, uninstall.stderr).toBe(0);
      expect(readFileSync(settingsFile, 'utf8')).toBe(before);
    });
    // Install kept the user's settings and added the guard's six hooks beside the user's own.
    const hooks = installed.hooks as Record<string, Array<{ matcher?: string; hooks: Array<{ command: string }> }>>;
    expect(Object.keys(hooks)).toEqual(['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PostToolBatch', 'UserPromptSubmit', 'Stop']);
    expect(hooks.PreToolUse![0]).toEqual((JSON.parse(before) as { hooks: { PreToolUse: unknown[] } }).hooks.PreToolUse[0]);
    expect(hooks.PreToolUse![1]!.hooks[0]!.command).toMatch(/fulcrum\.js guard claude-code --mode enforce --state-dir /);
    expect({ ...installed, hooks: undefined }).toEqual({ ...(JSON.parse(before) as object), hooks: undefined });

    // With the guard gone, all five runs happen and the model hears nothing of it; the user's hook still runs.
    expect(runsOf(s.workdir)).toBe(5);
    expect(allToolResults(s.api).every((r) => r.text.startsWith('Exit code 3'))).toBe(true);
    for (const body of s.api.mainRequests()) expect(JSON.stringify(body)).not.toContain('Fulcrum guard');
    expect(readFileSync(join(s.root, 'user-hook.log'), 'utf8')).toBe('user-hook\n'.repeat(5));
    expect(existsSync(s.stateDir)).toBe(false);
  });
});

/*
 * Measurement, not assertion (run with FULCRUM_GUARD_TIMING=1; FULCRUM_GUARD_TIMING_CALLS sets the long
 * session's length, default 100): the wall time of each guard hook call as Claude Code runs it. Every
 * hook command of the install is wrapped in a shell script that logs the clock before and after it.
 */
const TIMING = process.env.FULCRUM_GUARD_TIMING === '1';
const TIMED_CALLS = Number(process.env.FULCRUM_GUARD_TIMING_CALLS ?? 100);

/** Rewrites each guard hook command of settings.json to run under a timer that logs `<event> <ms>` lines. */
function timeHooks(root: string, settingsFile: string): string {
  const log = join(root, 'hook-times.log');
  const timer = join(root, 'timed.sh');
  writeFileSync(timer, `#!/bin/sh\nevent=$1; shift\nstart=$(date +%s%N)\n"$@"\nrc=$?\nend=$(date +%s%N)\necho "$event $(( (end - start) / 1000 ))" >> '${log}'\nexit $rc\n`, { mode: 0o755 });
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>> };
  for (const [event, groups] of Object.entries(settings.hooks)) for (const group of groups) for (const hook of group.hooks) hook.command = `${timer} ${event} ${hook.command}`;
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  return log;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe.skipIf(claude === undefined || !TIMING)('guard hook wall time under the real Claude Code (measurement)', { timeout: 900_000 }, () => {
  it('prints p50 / p99 per hook event over the scenarios and a long session', async () => {
    const logs: string[] = [];
    const timed = (s: { root: string; settingsFile: string }) => void logs.push(timeHooks(s.root, s.settingsFile));
    await guardedSession({ steps: FIVE_RETRIES, mode: 'enforce', files: FAILING_CHECKS }, timed);
    await guardedSession({ steps: FIVE_RETRIES, mode: 'warn', files: FAILING_CHECKS }, timed);
    const files = Object.fromEntries(Array.from({ length: TIMED_CALLS }, (_, i) => [`f${i}.txt`, `line ${i}\n`.repeat(20)]));
    const long = (workdir: string): AnthropicStep[] => [
      ...Array.from({ length: TIMED_CALLS }, (_, i) => (i % 2 === 0 ? read(join(workdir, `f${i}.txt`)) : bash(`echo call ${i} >> calls.log`))),
      { text: 'Done.' },
    ];
    const started = performance.now();
    const s = await guardedSession({ steps: long, mode: 'enforce', files, timeoutMs: 850_000 }, timed);
    const sessionMs = performance.now() - started;
    // (Claude Code drops the oldest tool results from long requests, so the fake's step count is not the call count.)
    const ran = readFileSync(join(s.workdir, 'calls.log'), 'utf8').split('\n').filter(Boolean).length;
    const samples = logs.flatMap((log) => readFileSync(log, 'utf8').trim().split('\n')).map((line) => line.split(' ')).map(([event, us]) => ({ event: event!, ms: Number(us) / 1000 }));
    const byEvent = new Map<string, number[]>([['all', samples.map((x) => x.ms)]]);
    for (const x of samples) byEvent.set(x.event, [...(byEvent.get(x.event) ?? []), x.ms]);
    const lines = [...byEvent].map(([event, ms]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return `${event.padEnd(20)} n=${String(sorted.length).padStart(4)}  p50=${percentile(sorted, 50).toFixed(1)} ms  p99=${percentile(sorted, 99).toFixed(1)} ms  max=${sorted.at(-1)!.toFixed(1)} ms`;
    });
    console.log(`guard hook wall time (${TIMED_CALLS}-call script, ${ran} Bash calls ran, ${s.api.mainRequests().length} model calls, ${(sessionMs / 1000).toFixed(1)} s; load ${loadavg()[0]!.toFixed(1)}):\n${lines.join('\n')}`);
  });
});
