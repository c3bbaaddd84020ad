import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIResponses, toolOutputs, type FakeResponsesServer, type ResponsesInputItem } from '../helpers/fake-openai-responses.js';
import { installedHarness, type InstalledHarness } from '../helpers/harness-install.js';
import { runCodex, type CodexRun } from '../helpers/run-codex.js';
import { tempDataDir } from '../helpers/store.js';
import { fixedAnswerHook, type FixedAnswerHook } from './setup.js';

/*
 * What the real Codex 0.169.0 does with each hook answer the guard might give, pinned against the
 * binary itself: a hook script with a fixed answer is installed, a scripted fake model asks for shell
 * commands, and the fake's recorded requests show exactly what the model was told afterwards.
 * (Findings in tests/fixtures/real-clients/hooks/README.md, "Codex 0.169.0: answers".)
 */

let codex: InstalledHarness | undefined;
beforeAll(async () => {
  codex = await installedHarness('codex');
  if (codex === undefined) console.warn('codex-binary: the pinned Codex could not be installed (registry unreachable); skipping');
}, 330_000);

let fake: FakeResponsesServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface Scenario {
  /** Hook event → shell lines after the payload is saved (the fixed answer). */
  hooks: Record<string, string>;
  /** How many shell calls the model makes before its final answer. @default 2 */
  calls?: number;
}

interface Outcome {
  run: CodexRun;
  /** Each POST /responses body's input, in order. */
  inputs: ResponsesInputItem[][];
  /** Which of the scripted commands actually ran (each touches a marker file). */
  ran: boolean[];
  /** The payloads each hook event received, in order. */
  payloads: (event: string) => Record<string, unknown>[];
  command: (n: number) => string;
}

async function play(scenario: Scenario): Promise<Outcome> {
  if (codex === undefined) throw new Error('unreachable: tests skip without codex');
  const root = tempDataDir('codex-hook-');
  const workdir = join(root, 'work');
  const home = join(root, 'home');
  mkdirSync(workdir);
  mkdirSync(home);
  const command = (n: number) => `touch ${join(workdir, `ran-${n}`)} && echo output-${n}`;
  const calls = scenario.calls ?? 2;
  const hooks: Record<string, { matcher?: string; hooks: { type: 'command'; command: string }[] }[]> = {};
  const captured = new Map<string, FixedAnswerHook>();
  for (const [event, answer] of Object.entries(scenario.hooks)) {
    const hook = fixedAnswerHook(root, event, answer);
    captured.set(event, hook);
    hooks[event] = [{ ...(event.endsWith('ToolUse') ? { matcher: '*' } : {}), hooks: [{ type: 'command', command: hook.command }] }];
  }
  fake = await startFakeOpenAIResponses({
    steps: [...Array.from({ length: calls }, (_, n) => ({ functionCall: { name: 'exec_command', arguments: { cmd: command(n) } } })), { text: 'final answer' }],
  });
  const run = await runCodex({ bin: codex.bin, baseUrl: fake.baseUrl, home, workdir, hooks: { hooks }, timeoutMs: 30_000 });
  const payloads = (event: string) => captured.get(event)!.payloads();
  return {
    run,
    inputs: fake.responsesBodies().map((b) => b.input ?? []),
    ran: Array.from({ length: calls }, (_, n) => existsSync(join(workdir, `ran-${n}`))),
    payloads,
    command,
  };
}

const answer = (json: unknown) => `echo '${JSON.stringify(json)}'`;
/** The items Codex added to the conversation after the model's n-th function call (developer notes, then the output). */
const afterCall = (inputs: ResponsesInputItem[][], n: number) => {
  const input = inputs[n + 1];
  const calls = input.map((item, i) => (item.type === 'function_call' ? i : -1)).filter((i) => i >= 0);
  return input.slice(calls[n] + 1, calls[n + 1] ?? input.length);
};
const commandEvents = (run: CodexRun) => run.events.filter((e) => (e.item as { type?: string } | undefined)?.type === 'command_execution');

describe('Codex 0.169.0 hook answers, against the real binary', () => {
  it('PreToolUse permissionDecision "deny" stops the command and the model reads the reason in the function_call_output', async (ctx) => {
    if (codex === undefined) return ctx.skip();
    const { run, inputs, ran, payloads, command } = await play({
      hooks: { PreToolUse: answer({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'R-deny: change approach' } }) },
    });
    expect(run.exitCode).toBe(0);
    expect(ran).toEqual([false, false]);
    expect(commandEvents(run)).toEqual([]);
    expect(toolOutputs({ input: inputs[1] }).map((o) => o.output)).toEqual([`Command blocked by PreToolUse hook: R-deny: change approach. Command: ${command(0)}`]);
    // What the guard is given for a shell call.
    expect(payloads('PreToolUse')[0]).toMatchObject({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: command(0) } });
    expect(inputs).toHaveLength(3);
  });

  it('exit code 2 with the reason on stderr denies the same way', async (ctx) => {
    if (codex === undefined) return ctx.skip();
    const { ran, inputs, command } = await play({ hooks: { PreToolUse: "echo 'R-exit2' >&2; exit 2" }, calls: 1 });
    expect(ran).toEqual([false]);
    expect(afterCall(inputs, 0)).toEqual([expect.objectContaining({ type: 'function_call_output', output: `Command blocked by PreToolUse hook: R-exit2. Command: ${command(0)}` })]);
  });

  it('a deny that also says continue:false is rejected whole, and the command runs', async (ctx) => {
    if (codex === undefined) return ctx.skip();
    const { ran, inputs } = await play({
      hooks: { PreToolUse: answer({ continue: false, stopReason: 'R-stop', hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'R-deny' } }) },
      calls: 1,
    });
    expect(ran).toEqual([true]);
    expect(String(afterCall(inputs, 0)[0].output)).toContain('output-0');
  });

  it('additionalContext reaches the model as a developer message before the output (PreToolUse deny, PostToolUse allow)', async (ctx) => {
    if (codex === undefined) return ctx.skip();
    const pre = await play({
      hooks: { PreToolUse: answer({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'R-deny', additionalContext: 'R-note' } }) },
      calls: 1,
    });
    expect(pre.ran).toEqual([false]);
    expect(afterCall(pre.inputs, 0).map((i) => [i.type, i.role, i.content ?? i.output])).toEqual([
      ['message', 'developer', [{ type: 'input_text', text: 'R-note' }]],
      ['function_call_output', undefined, `Command blocked by PreToolUse hook: R-deny. Command: ${pre.command(0)}`],
    ]);
    await fake?.close();
    const post = await play({ hooks: { PostToolUse: answer({ hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: 'R-unchanged since step 1' } }) }, calls: 1 });
    expect(post.ran).toEqual([true]);
    const added = afterCall(post.inputs, 0);
    expect(added[0]).toMatchObject({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'R-unchanged since step 1' }] });
    expect(added[1]).toMatchObject({ type: 'function_call_output' });
    expect(String(added[1].output)).toMatch(/Process exited with code 0[\s\S]*output-0/);
  });

  it('PostToolUse continue:false does not end codex exec: the output is replaced by stopReason and the model is asked again', async (ctx) => {
    if (codex === undefined) return ctx.skip();
    const { run, ran, inputs } = await play({ hooks: { PostToolUse: answer({ continue: false, stopReason: 'R-post-stop' }) } });
    expect(run.exitCode).toBe(0);
    expect(ran).toEqual([true, true]);
    expect(inputs).toHaveLength(3);
    expect(afterCall(inputs, 0)).toEqual([expect.objectContaining({ type: 'function_call_output', output: 'R-post-stop' })]);
  });

  it('UserPromptSubmit decision "block" ends the turn before any model request', async (ctx) => {
    if (codex === undefined) return ctx.skip();
    const { run, inputs } = await play({ hooks: { UserPromptSubmit: answer({ decision: 'block', reason: 'R-over-budget' }) } });
    expect(run.exitCode).toBe(0);
    expect(inputs).toEqual([]);
    expect(run.events.map((e) => e.type)).toContain('turn.completed');
    // The reason is not in the --json events: the guard has to record it itself.
    expect(run.stdout).not.toContain('R-over-budget');
  });

  it('fails open: exit 1 with no output, and output that is not JSON, let the command run', async (ctx) => {
    if (codex === undefined) return ctx.skip();
    const crashed = await play({ hooks: { PreToolUse: 'exit 1' }, calls: 1 });
    expect(crashed.ran).toEqual([true]);
    await fake?.close();
    const garbled = await play({ hooks: { PreToolUse: 'echo not-json' }, calls: 1 });
    expect(garbled.ran).toEqual([true]);
  });
});
