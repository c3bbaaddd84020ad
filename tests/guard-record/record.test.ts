import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { runCli } from '../helpers/cli.js';
import { tempDataDir } from '../helpers/store.js';
import { send } from '../query/fixtures.js';
import { harnessSession, mixedBody, type GuardSpanSpec } from './body.js';

/*
 * Issue 14, "record every intervention": `fulcrum guard` posts one
 * `fulcrum.guard` span per decision to /v1/traces; ingest types it, the engine
 * sums it per session, and the report and the session view show it beside
 * waste. Session "guarded" gets the harness's spans and the guard's in one
 * OTLP/JSON body; session "plain" gets the same harness spans and no guard, so
 * every figure the guard must not move is pinned against it.
 */

const REASON = 'WebFetch ran 3 times with the same arguments and the same result since step 2; change approach';
const GUARD: GuardSpanSpec[] = [
  { at: 3800, policy: 'identical_call', decision: 'denied', mode: 'enforce', tool: 'WebFetch', toolCallId: 'toolu_4', wasteKind: 'repeated_call', savedUsd: 0.05, reason: REASON },
  // No fulcrum.span.type: a tool name alone would make it a tool call, were it not a guard span.
  { at: 3900, policy: 'reread', decision: 'warned', mode: 'warn', tool: 'Read', toolCallId: 'toolu_5', wasteKind: 'redundant_read', savedUsd: 0.02, reason: 'src/a.ts is unchanged since step 1', declareOther: false },
  { at: 3950, policy: 'mystery', decision: 'denied', mode: 'enforce', tool: 'Bash', toolCallId: 'toolu_6', savedUsd: 7, reason: 'a policy this server does not know' },
  { at: 3960, policy: 'budget', decision: 'observed', mode: 'observe', tool: 'Bash', toolCallId: 'toolu_7', savedUsd: 5000, reason: 'a saving beyond the per-call bound' },
  { at: 3970, policy: 'budget', decision: 'vetoed', mode: 'enforce', tool: 'Bash', toolCallId: 'toolu_8', savedUsd: 'NaN', reason: 'a decision this server does not know' },
];

let server: RunningServer;
/** A GET answered over HTTP, as JSON (checked field by field below). */
const api = async (path: string): Promise<any> => {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.json();
};
const rows = async (query: string) => (await server.app.store.client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: mixedBody('guarded', GUARD) });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({});
  await send(server.url, [{ ...harnessSession('plain', 'mobile') }]);
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
});
afterAll(async () => server?.close());

describe('guard interventions recorded at ingest', () => {
  it('stores policy, decision and saving in typed columns, validated, as spans that are no call and cost nothing', async () => {
    const stored = await rows(`SELECT ToolCallId, SpanType, ToolKind, CostUsd, GuardPolicy, GuardDecision, GuardSavedUsd, Harness, ServiceName
FROM spans FINAL WHERE SessionId = 'guarded' AND SpanName = 'fulcrum.guard' ORDER BY Timestamp`);
    const base = { SpanType: 'other', ToolKind: '', CostUsd: 0, Harness: 'claude-code', ServiceName: 'fulcrum-guard' };
    expect(stored).toEqual([
      { ...base, ToolCallId: 'toolu_4', GuardPolicy: 'identical_call', GuardDecision: 'denied', GuardSavedUsd: 0.05 },
      { ...base, ToolCallId: 'toolu_5', GuardPolicy: 'reread', GuardDecision: 'warned', GuardSavedUsd: 0.02 },
      { ...base, ToolCallId: 'toolu_6', GuardPolicy: '', GuardDecision: 'denied', GuardSavedUsd: 7 },
      { ...base, ToolCallId: 'toolu_7', GuardPolicy: 'budget', GuardDecision: 'observed', GuardSavedUsd: 0 },
      { ...base, ToolCallId: 'toolu_8', GuardPolicy: 'budget', GuardDecision: '', GuardSavedUsd: 0 },
    ]);
    const others = await rows(`SELECT count() AS n, countIf(GuardPolicy != '' OR GuardDecision != '' OR GuardSavedUsd != 0) AS marked FROM spans FINAL WHERE SpanName != 'fulcrum.guard'`);
    expect(others).toEqual([{ n: 14, marked: 0 }]);
  });

  it('materialises prevented calls, their estimated saving and warnings per session; unknown policies and decisions count for nothing', async () => {
    const s = await rows(`SELECT SessionId, PreventedCalls, PreventedUsd, GuardWarnings FROM session_summaries FINAL ORDER BY SessionId`);
    expect(s).toEqual([
      { SessionId: 'guarded', PreventedCalls: 1, PreventedUsd: 0.05, GuardWarnings: 1 },
      { SessionId: 'plain', PreventedCalls: 0, PreventedUsd: 0, GuardWarnings: 0 },
    ]);
  });

  it('leaves calls, spend, waste, spans, time and windows exactly as without the guard', async () => {
    const figures = await rows(`SELECT SessionId, ModelCalls, ToolCalls, Failures, Spans, SpendUsd, Tokens, WasteUsd, WasteSpans, Waste.Kind AS kinds, PartialWasteSpans,
  UnverifiableCalls, LongestRunCalls, toString(Start) AS start, toString(End) AS end, Windows.Calls AS windowCalls, Windows.SpendUsd AS windowSpend, Harness
FROM session_summaries FINAL ORDER BY SessionId`);
    const [guarded, plain] = figures.map(({ SessionId: _id, ...f }) => f);
    expect(plain).toMatchObject({ ModelCalls: 3, ToolCalls: 3, Failures: 0, Spans: 7, SpendUsd: 1.5, WasteUsd: 1, WasteSpans: 2, kinds: ['repeated_call'], windowCalls: [6] });
    expect(guarded).toEqual(plain);
  });
});

describe('guard interventions shown', () => {
  it('the report says "prevented" beside waste, in JSON, table and Markdown; nothing for a scope without interventions', async () => {
    const all = await api('/api/reports/waste');
    expect(all.waste.prevented).toEqual({ calls: 1, usd: 0.05, warnings: 1, sessions: 1 });
    expect(all.waste.totalUsd).toBe(2);
    const quiet = await api('/api/reports/waste?team=mobile');
    expect(quiet.waste.prevented).toEqual({ calls: 0, usd: 0, warnings: 0, sessions: 0 });

    // One at a time: the server runs at most two API queries per project at once.
    const table = await runCli(['report', '--server', server.url]);
    const md = await runCli(['report', '--server', server.url, '--format', 'md']);
    const json = await runCli(['report', '--server', server.url, '--format', 'json']);
    const none = await runCli(['report', '--server', server.url, '--team', 'mobile']);
    for (const r of [table, md, json, none]) expect(r.status, r.stderr).toBe(0);
    const line = 'prevented: 1 call, ≈ $0.0500 (guard, estimated); 1 call warned';
    expect(table.stdout).toContain(`wasted $2.00 (4.0k tokens)\n${line}\n`);
    expect(md.stdout).toContain(`\n- ${line}\n`);
    expect(JSON.parse(json.stdout).waste.prevented).toEqual(all.waste.prevented);
    expect(none.stdout).toContain('wasted $1.00');
    expect(none.stdout).not.toContain('prevented');
  });

  it('the session view shows each intervention inline and the prevented totals in its header', async () => {
    const [guarded, plain] = [await api('/api/sessions/guarded'), await api('/api/sessions/plain')];
    expect(guarded.prevented).toEqual({ calls: 1, usd: 0.05, warnings: 1 });
    expect(plain.prevented).toEqual({ calls: 0, usd: 0, warnings: 0 });
    for (const k of ['spans', 'spendUsd', 'tokens', 'wasteUsd', 'unverifiableCalls']) expect(guarded[k], k).toEqual(plain[k]);
    type Node = { type: string; label: string; guard?: Record<string, unknown>; children: Node[] };
    const flat = (ns: Node[]): Node[] => ns.flatMap((n) => [n, ...flat(n.children)]);
    const marks = flat(guarded.roots).filter((n) => n.guard).map((n) => ({ type: n.type, label: n.label, ...n.guard }));
    expect(marks).toEqual([
      { type: 'other', label: 'WebFetch', policy: 'identical_call', decision: 'denied', mode: 'enforce', reason: REASON, savedUsd: 0.05 },
      { type: 'other', label: 'Read', policy: 'reread', decision: 'warned', mode: 'warn', reason: 'src/a.ts is unchanged since step 1', savedUsd: 0.02 },
      { type: 'other', label: 'Bash', policy: '', decision: 'denied', mode: 'enforce', reason: 'a policy this server does not know', savedUsd: 7 },
      { type: 'other', label: 'Bash', policy: 'budget', decision: 'observed', mode: 'observe', reason: 'a saving beyond the per-call bound', savedUsd: 0 },
      { type: 'other', label: 'Bash', policy: 'budget', decision: '', mode: 'enforce', reason: 'a decision this server does not know', savedUsd: 0 },
    ]);
    expect(flat(plain.roots).some((n) => n.guard)).toBe(false);

    const tree = await runCli(['session', 'guarded', '--server', server.url]);
    const plainTree = await runCli(['session', 'plain', '--server', server.url]);
    expect(tree.status, tree.stderr).toBe(0);
    expect(tree.stdout.split('\n')[0]).toBe('session guarded: 7 spans, $1.50, 3.0k tokens, waste $1.00; prevented: 1 call, ≈ $0.0500 (guard, estimated), 1 call warned');
    expect(tree.stdout).toContain(`⛔ guard identical_call denied WebFetch: ${REASON}  ≈ $0.0500 saved\n`);
    expect(tree.stdout).toContain('⛔ guard reread warned Read: src/a.ts is unchanged since step 1  ≈ $0.0200 saved\n');
    expect(plainTree.stdout.split('\n')[0]).toBe('session plain: 7 spans, $1.50, 3.0k tokens, waste $1.00');
  });
});
