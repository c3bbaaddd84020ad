import { describe, expect, it } from 'vitest';
import { defaultGuardConfig, runHook, type HookResult } from '@fulcrum/guard';
import { tempDataDir } from '../helpers/store.js';

/*
 * No false denials. A session is played as Claude Code's hooks would send it
 * (the payload shape of tests/fixtures/real-clients/hooks/claude-code), with
 * the guard in enforce mode; each case is one a breaker must not refuse.
 */

type Call = { tool: string; input: Record<string, unknown>; fails?: boolean; resultSize?: number } | { prompt: string };

async function play(calls: Call[]): Promise<HookResult[]> {
  const stateDir = tempDataDir('guard-precision-');
  const base = { session_id: `s-${Math.random().toString(36).slice(2)}`, transcript_path: '', cwd: '/home/dev/project', permission_mode: 'default' };
  const before: HookResult[] = [];
  let n = 0;
  for (const c of calls) {
    if ('prompt' in c) {
      await runHook({ harness: 'claude-code', stateDir, config: defaultGuardConfig('enforce'), input: JSON.stringify({ ...base, hook_event_name: 'UserPromptSubmit', prompt: c.prompt }) });
      continue;
    }
    const id = `toolu_${++n}`;
    const common = { ...base, tool_name: c.tool, tool_input: c.input, tool_use_id: id };
    const pre = await runHook({ harness: 'claude-code', stateDir, config: defaultGuardConfig('enforce'), input: JSON.stringify({ ...common, hook_event_name: 'PreToolUse' }) });
    before.push(pre);
    if (pre.reply.stdout.includes('"deny"')) continue; // a refused call never runs: no after-tool hook
    const post = c.fails
      ? { ...common, hook_event_name: 'PostToolUseFailure', error: 'Exit code 1\nboom', is_interrupt: false }
      : { ...common, hook_event_name: 'PostToolUse', tool_response: { stdout: 'x'.repeat(c.resultSize ?? 10), stderr: '', interrupted: false } };
    await runHook({ harness: 'claude-code', stateDir, config: defaultGuardConfig('enforce'), input: JSON.stringify(post) });
  }
  return before;
}

const denied = (results: HookResult[]) => results.map((r, i) => (r.reply.stdout.includes('"deny"') ? i + 1 : 0)).filter(Boolean);
const test = (extra: Partial<{ fails: boolean; resultSize: number }> = {}) => ({ tool: 'Bash', input: { command: 'npm test', description: 'Run the tests' }, ...extra });

describe('the breakers never refuse', () => {
  it('the same failing command three times refuses the third (the case the others are measured against)', async () => {
    expect(denied(await play([test({ fails: true }), test({ fails: true }), test({ fails: true })]))).toEqual([3]);
  });

  it('(but a retry is the same command whatever its description says: the third run is refused)', async () => {
    const run = (description: string) => ({ tool: 'Bash', input: { command: 'npm test', description }, fails: true });
    expect(denied(await play([run('Run the tests'), run('Run the tests again'), run('Retry the failing tests')]))).toEqual([3]);
  });

  it('a command that failed and then succeeded, run again', async () => {
    expect(denied(await play([test({ fails: true }), test(), test({ fails: true }), test(), test(), test({ fails: true }), test(), test({ fails: true }), test()]))).toEqual([]);
  });

  it('a command run a third time in a row after it failed once and then succeeded: recorded, neither refused nor noted', async () => {
    const results = await play([test({ fails: true }), test(), test()]);
    expect(denied(results)).toEqual([]);
    expect(results[2]!.interventions.map((i) => [i.policy, i.decision])).toEqual([['identical_call', 'observed']]);
  });

  it('a failing command run again after an edit', async () => {
    const edit = { tool: 'Edit', input: { file_path: '/home/dev/project/src/a.ts', old_string: 'a', new_string: 'b' } };
    expect(denied(await play([test({ fails: true }), test({ fails: true }), edit, test({ fails: true }), test({ fails: true })]))).toEqual([]);
  });

  it('a failing command run again after the human spoke', async () => {
    const results = await play([test({ fails: true }), test({ fails: true }), { prompt: 'I fixed the database, try again' }, test({ fails: true })]);
    expect(denied(results)).toEqual([]);
    // Noted instead: the report would still count it a failed retry.
    expect(results[2]!.interventions.map((i) => [i.policy, i.decision])).toEqual([['failing_command', 'warned']]);
  });

  it('a poll whose answer changes, while the same poll answered the same is a loop', async () => {
    const poll = (size: number) => ({ tool: 'Bash', input: { command: 'gh run view 42 --json status' }, resultSize: size });
    expect(denied(await play([poll(30), poll(31), poll(42), poll(42)]))).toEqual([]);
    expect(denied(await play([poll(30), poll(30), poll(30)]))).toEqual([3]);
  });

  it('a read after an edit of the file, and a read of a different file', async () => {
    const read = (f: string) => ({ tool: 'Read', input: { file_path: `/home/dev/project/${f}` } });
    const results = await play([read('a.ts'), { tool: 'Edit', input: { file_path: '/home/dev/project/a.ts', old_string: 'x', new_string: 'y' } }, read('a.ts'), read('b.ts'), read('c.ts')]);
    expect(denied(results)).toEqual([]);
    expect(results.flatMap((r) => r.interventions)).toEqual([]);
  });
});
