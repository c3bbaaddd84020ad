import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@fulcrum/store';
import { findingsSql, selectRows, wastedSpansSql, type FindingRow } from '@fulcrum/query';
import { WASTE_SPAN_COLUMNS, wasteSpanParams } from '@fulcrum/query/waste/pipeline';
import { classifySession, toFindings, WASTE_ROW_SQL, type WasteSpanRow } from '@fulcrum/query/waste/session';
import { tempDataDir } from '../helpers/store.js';

/*
 * getSession classifies one session's waste in TypeScript; reports run the SQL pipeline.
 * Both must give the same findings: checked here on sessions built to hit every rule and
 * its edge cases (threads, timestamp ties broken by span id, reads of overlapping and
 * disjoint ranges, reverted edits, scans, deletes, failures, unpriced models, re-sent
 * spans replaced by a later version).
 */

const h = (k: number, seed: number) => `cityHash64(n, ${k}, ${seed})`;
const generate = (seed: number, version: number) => `INSERT INTO spans (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, Project, SessionId, SpanType, ToolName, Model,
  InputTokens, OutputTokens, CostUsd, FilePath, ReadOffset, ReadLimit, Command, SearchPattern, ArgsHash, ResultSize, LinesAdded, LinesRemoved, Success, FileUnchanged, SpanAttributes, Version)
SELECT toDateTime64('2025-11-01 00:00:00', 9) + toIntervalSecond(s % 50 * 3600 + H1 % 40),
  hex(cityHash64('t', s)), hex(cityHash64('s', n)), ['', 'root', 'sub1', 'sub2'][H2 % 4 + 1], 'x', 'parity', concat('s', toString(s)),
  ['llm','llm','llm','tool','tool','tool','tool','tool','mcp','agent'][H3 % 10 + 1],
  ['Read','Read','Edit','Write','Bash','Bash','Grep','Glob','WebFetch','apply_patch','delete_file','mcp__x','','MultiEdit'][H4 % 14 + 1],
  ['claude-sonnet-4-5','gpt-5','unknown-model',''][H5 % 4 + 1], H6 % 5000, H7 % 500, (H6 % 5000) * 2e-6 + H8 % 3 * 1e-3,
  ['a.ts','b.ts','','src'][H9 % 4 + 1], [0,1,50,100][H10 % 4 + 1], [0,20,60][H11 % 3 + 1],
  ['npm test','grep foo','rm -rf x','ls','cat a.ts','','',''][H12 % 8 + 1], ['TODO','','x'][H13 % 3 + 1],
  ['','','h1','h2','h3'][H14 % 5 + 1], H15 % 9000, H16 % 3, H17 % 3, H18 % 4 != 0, H19 % 3 = 0,
  multiIf(H20 % 3 = 0, map('fulcrum.tool.args', concat('{"old_string":"', ['x','y',''][H21 % 3 + 1], '","new_string":"', ['x','y'][H22 % 2 + 1], '"}')),
    H20 % 3 = 1, map('gen_ai.tool.call.arguments', concat('{"old_string":"', ['x','y'][H21 % 2 + 1], '","new_string":"', ['x','y'][H22 % 2 + 1], '"}')), map()),
  ${version}
FROM (SELECT number AS n, intDiv(n, 40) AS s FROM numbers(24000) WHERE ${version === 1 ? '1' : 'cityHash64(n, 99) % 5 = 0'})`.replace(/H(\d+)/g, (_, k) => h(Number(k), seed));

let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir() });
  await store.client.command({ query: generate(1, 1) });
  await store.client.command({ query: generate(2, 2) });
}, 60_000);
afterAll(async () => store?.close());

describe('waste of one session in TypeScript', () => {
  it.each([2, 3])('finds what the SQL pipeline finds (minRepeat %i)', async (minRepeat) => {
    const scope = { project: 'parity' };
    const p = wastedSpansSql(scope, { minRepeat });
    const sql = await selectRows<FindingRow>(store.client, findingsSql(p.sql), p.params);
    const rows = await selectRows<WasteSpanRow & { sid: string }>(store.client, `SELECT SessionId AS sid, SpanId AS spanId, ParentSpanId AS parentSpanId,
  SpanType AS type, toUnixTimestamp64Milli(Timestamp) AS startMs, CostUsd AS costUsd, Success AS success, ${WASTE_SPAN_COLUMNS}, ${WASTE_ROW_SQL}
FROM spans FINAL WHERE Project = {project:String} ORDER BY SessionId, Timestamp, SpanId`, { project: 'parity', ...wasteSpanParams() });
    const bySession = new Map<string, WasteSpanRow[]>();
    for (const r of rows) bySession.set(r.sid, [...(bySession.get(r.sid) ?? []), r]);
    const ts = [...bySession].flatMap(([sid, rs]) => toFindings(sid, classifySession(rs, minRepeat), Infinity));
    const norm = (f: { sessionId: string; kind: string; anchorSpanIds: string[]; wasteSpanIds: string[]; tokens: number; costUsd: number; estimated: unknown; toolName: string; filePath: string; command: string }) =>
      JSON.stringify([f.sessionId, f.kind, f.anchorSpanIds, f.wasteSpanIds, Number(f.tokens), Number(f.costUsd).toFixed(9), Boolean(f.estimated), f.toolName, f.filePath, f.command]);
    expect(sql.length).toBeGreaterThan(500);
    if (minRepeat === 2) expect(new Set(sql.map((f) => f.kind)).size).toBe(8);
    expect(ts.map(norm).sort()).toEqual(sql.map(norm).sort());
  }, 60_000);
});
