import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { tempDataDir } from '../helpers/store.js';
import { FIXTURES, byName, calls, llmTotals, replay, rows } from './replay.js';

const CODEX = '01a20283-63ec-78b2-9c4e-d3476625c4ad';
const GEMINI = '1014ebe6-2d08-4789-91d4-21f7d1180322';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  for (const d of ['codex-0.169.0/json', 'gemini-cli-0.61.0/http-json']) {
    const answers = await replay(server.url, `${FIXTURES}/${d}`);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  }
  await server.app.spanWriter.flush();
});
afterAll(async () => server?.close());

describe('Codex 0.169.0', () => {
  it('yields the four exec_command calls, the failing one failed despite success="true"', async () => {
    const list = await calls(server.app.store.client, CODEX);
    expect(list.map((c) => [c.ToolName, c.Command, c.Success])).toEqual([
      ['exec_command', 'cat /home/developer1/workdir/calc.py', true],
      ['exec_command', "grep -rn 'def ' /home/developer1/workdir", true],
      ['exec_command', 'cat /home/developer1/workdir/calc.py', true],
      ['exec_command', 'cat /home/developer1/workdir/missing.py', false],
    ]);
    expect(list[3]!.ErrorType).toBe('exit_code:1');
  });

  it('counts tokens once (the turn total Codex reports) and prices them from the table', async () => {
    // session_task.turn: input 8000 of which 6200 cached, output 200; stored input is the uncached 1800; gpt-5.1-codex at gpt-5 prices.
    const t = await llmTotals(server.app.store.client, CODEX);
    expect([t.calls, t.input, t.cacheRead, t.output, t.unpriced]).toEqual([5, 1800, 6200, 200, 0]);
    expect(t.cost).toBeCloseTo(((8000 - 6200) * 1.25 + 200 * 10 + 6200 * 0.125) / 1e6, 10);
  });

  it('keeps no plumbing span without a session', async () => {
    const [r] = await rows<{ n: string }>(server.app.store.client, `SELECT count() AS n FROM spans FINAL WHERE Harness = 'codex' AND SessionId != {s:String}`, { s: CODEX });
    expect(Number(r!.n)).toBe(0);
  });
});

describe('Gemini CLI 0.61.0', () => {
  it('yields its six tool calls, the skill and the failed shell command', async () => {
    const list = await calls(server.app.store.client, GEMINI);
    expect(byName(list)).toEqual({ read_file: 2, grep_search: 1, run_shell_command: 1, replace: 1, activate_skill: 1 });
    expect(list.filter((c) => c.SpanType === 'skill').map((c) => c.SkillName)).toEqual(['skill-creator']);
    expect(list.filter((c) => !c.Success).map((c) => [c.ToolName, c.Command, c.ErrorType])).toEqual([['run_shell_command', 'cat /home/developer1/workdir-gemini/missing.py', 'exit_code:1']]);
    expect(list.filter((c) => c.ToolName === 'replace').map((c) => [c.FilePath, c.LinesAdded, c.LinesRemoved])).toEqual([['/home/developer1/workdir-gemini/calc.py', 4, 0]]);
    expect(new Set(list.map((c) => c.Source))).toEqual(new Set(['otlp-logs+otlp-traces']));
  });

  it('counts tokens as gemini_cli.token.usage does and prices them', async () => {
    // Metric totals: input 300+22400, output 20+280 plus 84 thought tokens, cache 17400.
    const t = await llmTotals(server.app.store.client, GEMINI);
    // gemini-3.8-flash and gemini-3.5-flash-lite are in no price table entry or family: unpriced, not priced as gemini-3 (Pro).
    expect([t.calls, t.input, t.output, t.cacheRead, t.unpriced]).toEqual([8, 5300, 384, 17400, 8]);
    expect(t.cost).toBe(0);
  });

  it('reads its cumulative counters once, at their latest value', async () => {
    const got = await rows<{ Activity: string; v: number }>(server.app.store.client,
      `SELECT Activity, sum(Value) AS v FROM session_metrics FINAL WHERE SessionId = {s:String} AND Activity IN ('lines_added','tool_calls','tokens_input') GROUP BY Activity ORDER BY Activity`, { s: GEMINI });
    expect(got.map((g) => [g.Activity, g.v])).toEqual([['lines_added', 4], ['tokens_input', 22700], ['tool_calls', 6]]);
  });
});
