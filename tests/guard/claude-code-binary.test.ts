import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastMessageBlocks, startFakeAnthropic, toolResults, type AnthropicStep, type FakeAnthropicServer } from '../helpers/fake-anthropic.js';
import { installedHarness } from '../helpers/harness-install.js';
import { runClaudeCode, type ClaudeCodeRun } from '../helpers/run-claude-code.js';
import { tempDataDir } from '../helpers/store.js';

/*
 * The hook contract of the real Claude Code 2.1.197, pinned with fixed-answer hook scripts (not our
 * guard), so a new harness version that changes what it honours fails here first. Evidence is what
 * the model was sent next (the fake server's recorded requests), whether the tool call left its mark
 * on disk, and the stream-json result. Findings: tests/fixtures/real-clients/hooks/README.md.
 */

const claude = await installedHarness('claude-code');

type HookEvent = 'PreToolUse' | 'PostToolUse' | 'PostToolUseFailure' | 'PostToolBatch';

/** One hook answer: JSON on stdout with exit 0, or an exit code with no output. */
type HookAnswer = { json: unknown } | { exitCode: number };

interface Session {
  run: ClaudeCodeRun;
  api: FakeAnthropicServer;
  /** What the scripted Bash call wrote, or undefined when it never ran. */
  marker: string | undefined;
  /** The hook events in the order Claude Code ran them. */
  hookCalls: string[];
}

let openServers: FakeAnthropicServer[] = [];
afterEach(async () => {
  await Promise.all(openServers.map((server) => server.close()));
  openServers = [];
});

/**
 * Plays one Bash call (that appends to marker.txt and exits with `commandExit`) then a final text,
 * with each given hook answering the same fixed output every time.
 */
async function session(hooks: Partial<Record<HookEvent, HookAnswer>>, commandExit = 0, permissions: { bypassPermissions?: boolean; args?: string[] } = {}): Promise<Session> {
  const root = tempDataDir('claude-hooks-');
  const workdir = join(root, 'work');
  mkdirSync(join(workdir, '.claude'), { recursive: true });
  const hookLog = join(root, 'hook-calls.log');
  const settings: { hooks: Record<string, unknown[]> } = { hooks: {} };
  for (const [event, answer] of Object.entries(hooks)) {
    const answerFile = join(root, `${event}.json`);
    const script = join(root, `${event}.sh`);
    const reply = 'json' in answer ? `cat '${answerFile}'` : `exit ${answer.exitCode}`;
    if ('json' in answer) writeFileSync(answerFile, JSON.stringify(answer.json));
    writeFileSync(script, `#!/bin/sh\ncat > /dev/null\necho ${event} >> '${hookLog}'\n${reply}\n`);
    chmodSync(script, 0o755);
    settings.hooks[event] = [{ matcher: '*', hooks: [{ type: 'command', command: script, timeout: 30 }] }];
  }
  writeFileSync(join(workdir, '.claude', 'settings.json'), JSON.stringify(settings));
  const marker = join(workdir, 'marker.txt');
  const command = `echo ran >> '${marker}'${commandExit === 0 ? '' : `; exit ${commandExit}`}`;
  const steps: AnthropicStep[] = [{ tool_use: { name: 'Bash', input: { command, description: 'Mark the run' } } }, { text: 'All done.' }];
  const api = await startFakeAnthropic({ steps });
  openServers.push(api);
  const run = await runClaudeCode({ bin: claude!.bin, workdir, home: join(root, 'home'), prompt: 'Mark the run', apiUrl: api.url, timeoutMs: 45_000, ...permissions });
  return {
    run,
    api,
    marker: existsSync(marker) ? readFileSync(marker, 'utf8') : undefined,
    hookCalls: existsSync(hookLog) ? readFileSync(hookLog, 'utf8').trim().split('\n') : [],
  };
}

/** The stream-json `result` message. */
function resultOf(run: ClaudeCodeRun): Record<string, unknown> {
  const result = run.streamJson.find((message) => message.type === 'result');
  expect(result, `no result message in:\n${run.stdout}\n${run.stderr}`).toBeDefined();
  return result!;
}

const deny = (reason: string) => ({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } });

describe.skipIf(claude === undefined)('Claude Code 2.1.197 hook contract (real binary)', { timeout: 60_000 }, () => {
  it('runs a hookless session to the end (the baseline the others differ from)', async () => {
    const { run, api, marker } = await session({});
    expect(run.exitCode).toBe(0);
    expect(marker).toBe('ran\n');
    expect(api.mainRequests()).toHaveLength(2);
    expect(resultOf(run)).toMatchObject({ subtype: 'success', result: 'All done.', terminal_reason: 'completed', permission_denials: [] });
  });

  it('PreToolUse deny: the call never runs and the model gets the reason verbatim as an error tool_result', async () => {
    const reason = 'Denied by policy: this command failed 2 times; change approach.';
    const { run, api, marker, hookCalls } = await session({ PreToolUse: { json: deny(reason) }, PostToolUse: { json: {} }, PostToolUseFailure: { json: {} } });
    expect(marker).toBeUndefined();
    // A denied call fires neither PostToolUse nor PostToolUseFailure.
    expect(hookCalls).toEqual(['PreToolUse']);
    const [, afterDeny] = api.mainRequests();
    expect(lastMessageBlocks(afterDeny)).toEqual([expect.objectContaining({ type: 'tool_result', content: reason, is_error: true })]);
    // The session goes on: the model answered the denial and the run ended normally.
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result).toMatchObject({ subtype: 'success', is_error: false, result: 'All done.', terminal_reason: 'completed' });
    expect(result.permission_denials).toEqual([expect.objectContaining({ tool_name: 'Bash' })]);
  });

  it('PostToolUse additionalContext reaches the model as a system reminder after the tool_result', async () => {
    const { api, marker } = await session({ PostToolUse: { json: { hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: 'Content unchanged since step 3.' } } } });
    expect(marker).toBe('ran\n');
    const [toolResult, reminder, ...rest] = lastMessageBlocks(api.mainRequests()[1]);
    expect(toolResult).toMatchObject({ type: 'tool_result', content: '(Bash completed with no output)', is_error: false });
    expect(reminder).toMatchObject({ type: 'text', text: '<system-reminder>\nPostToolUse:Bash hook additional context: Content unchanged since step 3.\n</system-reminder>' });
    expect(rest).toEqual([]);
  });

  it('PostToolUseFailure additionalContext reaches the model after the failed call', async () => {
    const { api, marker, hookCalls } = await session(
      { PostToolUse: { json: {} }, PostToolUseFailure: { json: { hookSpecificOutput: { hookEventName: 'PostToolUseFailure', additionalContext: 'Same failure as step 2.' } } } },
      3,
    );
    expect(marker).toBe('ran\n');
    expect(hookCalls).toEqual(['PostToolUseFailure']);
    const [toolResult, reminder] = lastMessageBlocks(api.mainRequests()[1]);
    expect(toolResult).toMatchObject({ type: 'tool_result', content: 'Exit code 3', is_error: true });
    expect(reminder).toMatchObject({ text: '<system-reminder>\nPostToolUseFailure:Bash hook additional context: Same failure as step 2.\n</system-reminder>' });
  });

  it('PreToolUse continue:false ends the session, but only after the call has run', async () => {
    const { run, api, marker } = await session({ PreToolUse: { json: { continue: false, stopReason: 'Session budget of $5.00 reached.' } } });
    expect(marker).toBe('ran\n');
    expect(api.mainRequests()).toHaveLength(1);
    expect(run.exitCode).toBe(0);
    // stopReason is not in stream-json; it lands only in the transcript (a hook_stopped_continuation attachment).
    expect(resultOf(run)).toMatchObject({ subtype: 'success', is_error: false, result: '', stop_reason: 'tool_use', terminal_reason: 'hook_stopped' });
    expect(run.stdout).not.toContain('Session budget');
  });

  it('PostToolUse continue:false ends the session before the next model request', async () => {
    const { run, api, marker } = await session({ PostToolUse: { json: { continue: false, stopReason: 'Session budget reached.' } } });
    expect(marker).toBe('ran\n');
    expect(api.mainRequests()).toHaveLength(1);
    expect(resultOf(run)).toMatchObject({ result: '', terminal_reason: 'hook_stopped' });
  });

  it('PostToolUseFailure continue:false is ignored: the session goes on', async () => {
    const { run, api } = await session({ PostToolUseFailure: { json: { continue: false, stopReason: 'Stop now.' } } }, 3);
    expect(api.mainRequests()).toHaveLength(2);
    expect(resultOf(run)).toMatchObject({ result: 'All done.', terminal_reason: 'completed' });
  });

  it('deny plus continue:false in one PreToolUse answer: the deny holds, the stop is ignored', async () => {
    const { run, api, marker } = await session({ PreToolUse: { json: { continue: false, stopReason: 'Stop now.', ...deny('Budget reached.') } } });
    expect(marker).toBeUndefined();
    expect(api.mainRequests()).toHaveLength(2);
    expect(toolResults(api.mainRequests()[1])).toEqual([expect.objectContaining({ content: 'Budget reached.', is_error: true })]);
    expect(resultOf(run)).toMatchObject({ result: 'All done.', terminal_reason: 'completed' });
  });

  it('deny in PreToolUse, then continue:false in PostToolBatch: the call never runs and the model is not asked again', async () => {
    const { run, api, marker, hookCalls } = await session({ PreToolUse: { json: deny('Budget reached.') }, PostToolBatch: { json: { continue: false, stopReason: 'Budget reached.' } } });
    expect(marker).toBeUndefined();
    expect(hookCalls).toEqual(['PreToolUse', 'PostToolBatch']);
    expect(api.mainRequests()).toHaveLength(1);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result).toMatchObject({ result: '', terminal_reason: 'hook_stopped' });
    expect(result.permission_denials).toEqual([expect.objectContaining({ tool_name: 'Bash' })]);
  });

  it('PreToolUse allow overrides the permission rules: a hook must never answer allow to mean "no objection"', async () => {
    const readOnly = { bypassPermissions: false, args: ['--allowedTools', 'Read'] };
    const withoutHook = await session({}, 0, readOnly);
    expect(withoutHook.marker).toBeUndefined();
    expect(toolResults(withoutHook.api.mainRequests()[1])).toEqual([expect.objectContaining({ is_error: true })]);
    const allowed = await session({ PreToolUse: { json: { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow' } } } }, 0, readOnly);
    expect(allowed.marker).toBe('ran\n');
  });

  it('fails open: a PreToolUse hook that exits 1 with no output lets the call run', async () => {
    const { api, marker } = await session({ PreToolUse: { exitCode: 1 } });
    expect(marker).toBe('ran\n');
    expect(toolResults(api.mainRequests()[1])).toEqual([expect.objectContaining({ is_error: false })]);
  });
});
