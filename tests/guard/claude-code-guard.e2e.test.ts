import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  inputTexts, lastMessageBlocks, startFakeAnthropic, toolResults, toolResultText,
  type AnthropicStep, type FakeAnthropicServer, type MessagesRequestBody,
} from '../helpers/fake-anthropic.js';
import { installedHarness } from '../helpers/harness-install.js';
import { runClaudeCode, type ClaudeCodeRun } from '../helpers/run-claude-code.js';
import { tempDataDir } from '../helpers/store.js';

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

export interface GuardedSessionOptions {
  /** The model's script. */
  steps: AnthropicStep[];
  /** Install the guard in this mode; undefined leaves settings.json as `settings` wrote it. @default undefined */
  mode?: 'observe' | 'warn' | 'enforce';
  /** A fulcrum.config.json body for `--config`. @default undefined (no --config) */
  config?: unknown;
  /** `--server` of the install. @default undefined */
  server?: string;
  /** Files to create in the workdir before the run (name → content; executable when the name ends in .sh). @default {} */
  files?: Record<string, string>;
  /** A project settings.json written before install. @default undefined */
  settings?: unknown;
  /** Model to ask for (pinned so the budget's prices are known). @default 'claude-sonnet-4-5' */
  model?: string;
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
  if (options.settings !== undefined) writeFileSync(settingsFile, `${JSON.stringify(options.settings, null, 2)}\n`);
  if (options.mode) {
    const args = ['guard', 'install', 'claude-code', '--project-dir', workdir, '--mode', options.mode, '--state-dir', stateDir];
    if (options.config !== undefined) {
      const configFile = join(root, 'fulcrum.config.json');
      writeFileSync(configFile, JSON.stringify(options.config));
      args.push('--config', configFile);
    }
    if (options.server) args.push('--server', options.server);
    const installed = await runCli(args);
    expect(installed.status, installed.stderr).toBe(0);
  }
  await beforeRun?.({ root, workdir, stateDir, settingsFile });
  const api = await startFakeAnthropic({ steps: options.steps });
  openServers.push(api);
  const run = await runClaudeCode({
    bin: claude!.bin, workdir, home: join(root, 'home'), prompt: 'Get the checks to pass', apiUrl: api.url, timeoutMs: 60_000,
    args: ['--model', options.model ?? 'claude-sonnet-4-5'],
  });
  const init = run.streamJson.find((m) => m.type === 'system' && m.subtype === 'init');
  expect(init, `no init message:\n${run.stdout}\n${run.stderr}`).toBeDefined();
  return { root, workdir, stateDir, settingsFile, api, run, sessionId: String(init!.session_id) };
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

const bash = (command: string): AnthropicStep => ({ tool_use: { name: 'Bash', input: { command, description: 'Run the checks' } } });

/** A check script that fails every time and counts its runs in runs.log: its command line is the same each time. */
const FAILING_CHECKS = { 'run_checks.sh': '#!/bin/sh\necho run >> runs.log\necho "2 checks failed: test_parse, test_emit" >&2\nexit 3\n' };
const FAILING_COMMAND = './run_checks.sh';
const runsOf = (workdir: string) => (existsSync(join(workdir, 'runs.log')) ? readFileSync(join(workdir, 'runs.log'), 'utf8').split('\n').filter(Boolean).length : 0);
const FIVE_RETRIES: AnthropicStep[] = [...Array.from({ length: 5 }, () => bash(FAILING_COMMAND)), { text: 'I could not get the checks to pass.' }];

describe.skipIf(claude === undefined)('fulcrum guard with the real Claude Code 2.1.197', { timeout: 90_000 }, () => {
  it('enforce: the 3rd run of a failing command is denied with the reason, and so are the 4th and 5th; it ran exactly twice', async () => {
    const s = await guardedSession({ steps: FIVE_RETRIES, mode: 'enforce', files: FAILING_CHECKS });
    console.log(JSON.stringify(allToolResults(s.api), null, 1), s.api.mainRequests()[0]?.model, readdirSync(s.stateDir).map((f) => readFileSync(join(s.stateDir, f), "utf8")));
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
});
