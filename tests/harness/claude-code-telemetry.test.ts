import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSpanRows } from '@fulcrum/store';
import { startServer, type RunningServer } from '@fulcrum/server';
import { decodeLogsJson } from '@fulcrum/ingest/otlp/json-logs';
import { decodeTracesJson } from '@fulcrum/ingest/otlp/json-traces';
import { normaliseLogs } from '@fulcrum/ingest/normalise/harness/logs';
import { normaliseTraces } from '@fulcrum/ingest/normalise/traces';
import { JoinCache } from '@fulcrum/ingest/normalise/harness/join';
import { findWaste } from '@fulcrum/query';
import { tempDataDir } from '../helpers/store.js';
import { FIXTURES, byName, calls, llmTotals, replay, rows } from './replay.js';

const CC = `${FIXTURES}/claude-code-2.1.197`;
const RICH = '73732c52-38e1-4da5-b45e-39170c330c7b';
const PRIVATE = '67b10a32-3ba0-45b2-9cbe-d501b898b852';
const GZIP = '4999f9ac-b3e4-439a-83a0-a4ac2d09acc7';
const TOOLS = { Read: 3, Grep: 1, Bash: 3, Edit: 1, Write: 1, Skill: 1, Agent: 1 };
// What Claude Code itself reported in claude_code.cost.usage / token.usage (metrics), summed by hand from the fixture.
const RICH_TOTALS = { calls: 14, input: 207, output: 1029, cacheRead: 80100, cacheWrite: 14565, cost: 0.15784125, unpriced: 0 };

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  for (const d of ['all-details-traces-json', 'default-privacy-protobuf', 'headers-gzip-json']) {
    const answers = await replay(server.url, `${CC}/${d}`);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  }
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
});
afterAll(async () => server?.close());

describe('Claude Code rich run (OTLP/JSON logs + beta traces)', () => {
  it('yields every tool call once, by name, with logs and traces joined', async () => {
    const list = await calls(server.app.store.client, RICH);
    expect(byName(list)).toEqual({ ...TOOLS, mcp__demo__lookup: 1 });
    expect(new Set(list.map((c) => c.Source))).toEqual(new Set(['otlp-logs+otlp-traces']));
  });

  it('has the tokens and dollars the harness reported', async () => {
    expect(await llmTotals(server.app.store.client, RICH)).toEqual(RICH_TOTALS);
  });

  it('names the skill, the MCP tool and server, the subagent, and the failed call', async () => {
    const list = await calls(server.app.store.client, RICH);
    expect(list.filter((c) => c.SpanType === 'skill').map((c) => c.SkillName)).toEqual(['demo-skill']);
    expect(list.filter((c) => c.SpanType === 'mcp').map((c) => [c.ToolName, c.McpServer])).toEqual([['mcp__demo__lookup', 'demo']]);
    expect(list.filter((c) => c.SpanType === 'agent').map((c) => c.AgentName)).toEqual(['general-purpose']);
    const failed = list.filter((c) => !c.Success);
    expect(failed.map((c) => [c.ToolName, c.FilePath, c.ErrorType])).toEqual([['Read', '/home/developer1/workdir-rich/does_not_exist.py', 'TelemetrySafeError']]);
  });

  it('records edits with line counts, the commit command and the commit it made, and team', async () => {
    const list = await calls(server.app.store.client, RICH);
    expect(list.filter((c) => c.LinesAdded > 0).map((c) => [c.ToolName, c.LinesAdded, c.LinesRemoved])).toEqual([['Edit', 4, 0], ['Write', 5, 0]]);
    expect(list.some((c) => c.Command === "git add -A && git commit -m 'Add sub() and notes'")).toBe(true);
    // The commit it made, as Claude Code named it (tool_parameters.git_commit_id): what links the session to the commit.
    expect(list.filter((c) => c.VcsCommit !== '').map((c) => [c.ToolName, c.VcsAction, c.VcsCommit])).toEqual([['Bash', 'commit', '7675e39']]);
    const [t] = await rows<{ Team: string }>(server.app.store.client, 'SELECT DISTINCT Team FROM spans FINAL WHERE SessionId = {s:String}', { s: RICH });
    expect(t!.Team).toBe('realclients');
  });

  it('makes the second read of calc.py detectable as redundant', async () => {
    const list = await calls(server.app.store.client, RICH);
    const reads = list.map((c, i) => ({ c, i })).filter(({ c }) => c.ToolName === 'Read' && c.FilePath.endsWith('/calc.py'));
    expect(reads).toHaveLength(2);
    const [first, second] = reads;
    const between = list.slice(first!.i + 1, second!.i);
    expect(between.some((c) => (c.ToolName === 'Edit' || c.ToolName === 'Write') && c.FilePath === first!.c.FilePath)).toBe(false);
    expect([second!.c.ReadOffset, second!.c.ReadLimit]).toEqual([first!.c.ReadOffset, first!.c.ReadLimit]);
  });

  it('has the second read of calc.py flagged redundant by the waste detector, and nothing else redundant', async () => {
    const reads = (await calls(server.app.store.client, RICH)).filter((c) => c.ToolName === 'Read' && c.FilePath.endsWith('/calc.py'));
    const findings = await findWaste(server.app.store.client, { project: 'default', sessionId: RICH });
    const redundant = findings.filter((f) => f.kind === 'redundant_read');
    expect(redundant).toHaveLength(1);
    expect(redundant[0]!.filePath).toBe('/home/developer1/workdir-rich/calc.py');
    expect(redundant[0]!.wasteSpanIds).toHaveLength(1);
    expect(redundant[0]!.costUsd).toBeGreaterThan(0);
    // The failed Read of does_not_exist.py is a failure, not a re-read.
    expect(findings.filter((f) => f.kind === 'failed_tool').map((f) => f.filePath)).toEqual(['/home/developer1/workdir-rich/does_not_exist.py']);
    expect(reads).toHaveLength(2);
  });

  it('counts lines of code and commits from the delta metrics', async () => {
    const got = await rows<{ Activity: string; v: number }>(server.app.store.client,
      `SELECT Activity, sum(Value) AS v FROM session_metrics FINAL WHERE SessionId = {s:String} AND Activity IN ('lines_added','lines_removed','commits','cost_usd') GROUP BY Activity ORDER BY Activity`, { s: RICH });
    expect(Object.fromEntries(got.map((g) => [g.Activity, Math.round(g.v * 1e8) / 1e8]))).toEqual({ commits: 1, cost_usd: 0.15784125, lines_added: 10, lines_removed: 0 });
  });
});

describe('Claude Code with default privacy (OTLP/protobuf logs, no traces)', () => {
  it('still yields the session, its calls, tokens and dollars', async () => {
    const client = server.app.store.client;
    const list = await calls(client, PRIVATE);
    expect(byName(list)).toEqual({ ...TOOLS, mcp_tool: 1 });
    expect(await llmTotals(client, PRIVATE)).toEqual(RICH_TOTALS);
    expect(list.filter((c) => c.SpanType === 'mcp')).toHaveLength(1);
    // Default privacy names a project skill "custom_skill"; the subagent type comes from subagent_completed.
    expect(list.filter((c) => c.SpanType === 'skill').map((c) => c.SkillName)).toEqual(['custom_skill']);
    expect(list.filter((c) => c.SpanType === 'agent').map((c) => c.AgentName)).toEqual(['general-purpose']);
    expect(list.filter((c) => !c.Success).map((c) => c.ToolName)).toEqual(['Read']);
  });
});

describe('Claude Code with headers and gzip', () => {
  it('takes the gzip bodies and yields the short session', async () => {
    const client = server.app.store.client;
    expect(byName(await calls(client, GZIP))).toEqual({ Read: 2 });
    const t = await llmTotals(client, GZIP);
    expect([t.calls, t.input, t.output, t.cacheRead, t.cacheWrite, t.cost]).toEqual([4, 46, 202, 16800, 6359, 0.05342375]);
  });
});

describe('joining without the ingest-time cache', () => {
  it('still counts each call once under FINAL when logs and traces are stored separately', async () => {
    const dir = `${CC}/all-details-traces-json/otlp`;
    const json = (f: string) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
    const ctx = { project: 'nojoin' };
    const logRows = ['0001-logs.json', '0004-logs.json'].flatMap((f) => normaliseLogs(decodeLogsJson(json(f)), ctx, new JoinCache()).rows);
    const traceRows = ['0002-traces.json', '0005-traces.json'].flatMap((f) => normaliseTraces(decodeTracesJson(json(f)), { ...ctx, join: new JoinCache() }).rows);
    await insertSpanRows(server.app.store.client, traceRows);
    await insertSpanRows(server.app.store.client, logRows);
    const [r] = await rows<{ tools: string; llm: string; ok: string }>(server.app.store.client,
      `SELECT countIf(SpanType IN ('tool','mcp','skill','agent')) AS tools, countIf(SpanType = 'llm') AS llm, countIf(SpanType = 'tool' AND NOT Success) AS failed
       FROM spans FINAL WHERE Project = 'nojoin' AND SessionId = {s:String}`, { s: RICH });
    expect([Number(r!.tools), Number(r!.llm)]).toEqual([12, 14]);
  });
});

describe('malformed payloads', () => {
  it('answers 400 to a truncated protobuf body and stores nothing from it', async () => {
    const body = readFileSync(`${CC}/default-privacy-protobuf/otlp/0001-logs.pb`);
    const before = await rows<{ n: string }>(server.app.store.client, 'SELECT count() AS n FROM spans');
    for (const [path, bytes] of [['/v1/logs', body.subarray(0, body.length - 7)], ['/v1/metrics', readFileSync(`${CC}/default-privacy-protobuf/otlp/0002-metrics.pb`).subarray(0, 301)]] as const) {
      const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: bytes });
      expect(res.status).toBe(400);
    }
    const res = await fetch(server.url + '/v1/logs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs":[{"scopeLogs":[{"logRecords":[' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number }).code).toBe(3);
    await server.app.spanWriter.flush();
    const after = await rows<{ n: string }>(server.app.store.client, 'SELECT count() AS n FROM spans');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('rejects a record with a malformed trace id alone (partial success)', async () => {
    const doc = JSON.parse(readFileSync(`${CC}/headers-gzip-json/otlp/0002-logs.json`, 'utf8'));
    doc.resourceLogs[0].scopeLogs[0].logRecords[0].traceId = 'not-a-trace-id';
    const res = await fetch(server.url + '/v1/logs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { partialSuccess: { rejectedLogRecords: string } }).partialSuccess.rejectedLogRecords).toBe('1');
  });
});
