import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { functionResponses, startFakeGemini, type FakeGeminiServer, type GeminiRequestBody } from '../helpers/fake-gemini.js';
import { installedHarness, type InstalledHarness } from '../helpers/harness-install.js';
import { runGemini, type GeminiRun } from '../helpers/run-gemini.js';
import { tempDataDir } from '../helpers/store.js';
import { fixedAnswerHook, type FixedAnswerHook } from './setup.js';

/*
 * What the real Gemini CLI 0.61.0 does with each hook answer the guard might give, pinned against
 * the CLI itself: a hook script with a fixed answer is installed, a scripted fake model asks for
 * shell commands, and the fake's recorded requests show exactly what the model was told afterwards.
 * (Findings in tests/fixtures/real-clients/hooks/README.md, "Gemini CLI 0.61.0: answers".)
 */

let gemini: InstalledHarness | undefined;
beforeAll(async () => {
  gemini = await installedHarness('gemini-cli');
  if (gemini === undefined) console.warn('gemini-binary: the pinned Gemini CLI could not be installed (registry unreachable); skipping');
}, 330_000);

let fake: FakeGeminiServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface Scenario {
  /** Hook event → shell lines after the payload is saved (the fixed answer). */
  hooks: Record<string, string>;
  /** How many shell calls the model makes before its final answer. @default 1 */
  calls?: number;
}

interface Outcome {
  run: GeminiRun;
  /** The conversation requests (with tools), in order. */
  bodies: GeminiRequestBody[];
  /** Which of the scripted commands actually ran (each touches a marker file). */
  ran: boolean[];
  /** The payloads each hook event received, in order. */
  payloads: (event: string) => Record<string, unknown>[];
  command: (n: number) => string;
}

async function play(scenario: Scenario): Promise<Outcome> {
  if (gemini === undefined) throw new Error('unreachable: tests skip without gemini');
  const root = tempDataDir('gemini-hook-');
  const workdir = join(root, 'work');
  const home = join(root, 'home');
  mkdirSync(workdir);
  mkdirSync(home);
  const command = (n: number) => `touch ${join(workdir, `ran-${n}`)} && echo output-${n}`;
  const calls = scenario.calls ?? 1;
  const hooks: Record<string, { matcher?: string; hooks: { type: 'command'; command: string }[] }[]> = {};
  const captured = new Map<string, FixedAnswerHook>();
  for (const [event, answer] of Object.entries(scenario.hooks)) {
    const hook = fixedAnswerHook(root, event, answer);
    captured.set(event, hook);
    hooks[event] = [{ ...(event.endsWith('Tool') ? { matcher: '.*' } : {}), hooks: [{ type: 'command', command: hook.command }] }];
  }
  fake = await startFakeGemini({
    steps: [
      ...Array.from({ length: calls }, (_, n) => ({ functionCall: { name: 'run_shell_command', args: { command: command(n), description: `step ${n}` } } })),
      { text: 'final answer' },
    ],
  });
  const run = await runGemini({ bin: gemini.bin, baseUrl: fake.baseUrl, home, workdir, hooks, timeoutMs: 45_000 });
  const payloads = (event: string) => captured.get(event)!.payloads();
  return {
    run,
    bodies: fake.conversationBodies(),
    ran: Array.from({ length: calls }, (_, n) => existsSync(join(workdir, `ran-${n}`))),
    payloads,
    command,
  };
}

const answer = (json: unknown) => `echo '${JSON.stringify(json)}'`;
/** The response the model was given for the n-th shell call. */
const responseTo = (bodies: GeminiRequestBody[], n: number) => functionResponses(bodies[n + 1])[n]?.response;

describe('Gemini CLI 0.61.0 hook answers, against the real CLI', () => {
  it('BeforeTool decision "deny" stops the tool and the model reads "Tool execution blocked: <reason>" as the error', async (ctx) => {
    if (gemini === undefined) return ctx.skip();
    const { run, bodies, ran, payloads, command } = await play({ hooks: { BeforeTool: answer({ decision: 'deny', reason: 'R-deny: change approach' }) }, calls: 2 });
    expect(run.exitCode).toBe(0);
    expect(ran).toEqual([false, false]);
    expect(responseTo(bodies, 0)).toEqual({ error: 'Tool execution blocked: R-deny: change approach' });
    expect(responseTo(bodies, 1)).toEqual({ error: 'Tool execution blocked: R-deny: change approach' });
    expect(run.output).toMatchObject({ response: 'final answer' });
    // What the guard is given for a shell call (no call id).
    expect(payloads('BeforeTool')[0]).toMatchObject({ hook_event_name: 'BeforeTool', tool_name: 'run_shell_command', tool_input: { command: command(0) } });
  });

  it('Claude-style hookSpecificOutput.permissionDecision "deny" is ignored: the tool runs', async (ctx) => {
    if (gemini === undefined) return ctx.skip();
    const { ran, bodies } = await play({
      hooks: { BeforeTool: answer({ hookSpecificOutput: { hookEventName: 'BeforeTool', permissionDecision: 'deny', permissionDecisionReason: 'R' } }) },
    });
    expect(ran).toEqual([true]);
    expect(String(responseTo(bodies, 0)?.output)).toContain('output-0');
  });

  it('exit code 2 with the reason on stderr denies the same way', async (ctx) => {
    if (gemini === undefined) return ctx.skip();
    const { ran, bodies } = await play({ hooks: { BeforeTool: "echo 'R-exit2' >&2; exit 2" } });
    expect(ran).toEqual([false]);
    expect(responseTo(bodies, 0)).toEqual({ error: 'Tool execution blocked: R-exit2' });
  });

  it('BeforeTool continue:false stops the agent: no further model request, exit 0, empty response', async (ctx) => {
    if (gemini === undefined) return ctx.skip();
    const { run, bodies, ran } = await play({ hooks: { BeforeTool: answer({ continue: false, stopReason: 'R-over-budget' }) }, calls: 2 });
    expect(run.exitCode).toBe(0);
    expect(ran).toEqual([false, false]);
    expect(bodies).toHaveLength(1);
    expect(run.output).toMatchObject({ response: '' });
    expect(run.stderr).toContain('Agent execution stopped by hook: R-over-budget');
  });

  it('AfterTool additionalContext is appended to the tool output inside <hook_context>', async (ctx) => {
    if (gemini === undefined) return ctx.skip();
    const { ran, bodies } = await play({ hooks: { AfterTool: answer({ hookSpecificOutput: { hookEventName: 'AfterTool', additionalContext: 'R-unchanged since step 1' } }) } });
    expect(ran).toEqual([true]);
    expect(String(responseTo(bodies, 0)?.output)).toMatch(/output-0[\s\S]*<\/untrusted_context>\n\n<hook_context>R-unchanged since step 1<\/hook_context>$/);
  });

  it('fails open on exit 1 with no output, but JSON on stderr with an empty stdout is obeyed', async (ctx) => {
    if (gemini === undefined) return ctx.skip();
    const crashed = await play({ hooks: { BeforeTool: 'exit 1' } });
    expect(crashed.ran).toEqual([true]);
    await fake?.close();
    // Gemini parses stdout, or stderr when stdout is empty: a guard must always answer on stdout.
    const stderrOnly = await play({ hooks: { BeforeTool: `${answer({ decision: 'deny', reason: 'R-stderr' })} >&2` } });
    expect(stderrOnly.ran).toEqual([false]);
    expect(responseTo(stderrOnly.bodies, 0)).toEqual({ error: 'Tool execution blocked: R-stderr' });
  });

  it('BeforeAgent decision "deny" refuses the prompt before any model request', async (ctx) => {
    if (gemini === undefined) return ctx.skip();
    const { run, bodies } = await play({ hooks: { BeforeAgent: answer({ decision: 'deny', reason: 'R-over-budget' }) } });
    expect(run.exitCode).toBe(0);
    expect(bodies).toEqual([]);
    expect(run.output).toMatchObject({ response: '', warnings: ['Agent execution blocked: R-over-budget'] });
  });
});
