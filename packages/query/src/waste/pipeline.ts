import { inputPriceParams, inputPriceSql } from '../prices.js';
import { scopeWhere, type BoundSql, type QueryScope } from '../scope.js';
import { TOOL_KINDS, toolKindParams } from '../tool-kinds.js';
import { WASTE_DEFAULTS, WASTE_KINDS, type WasteOptions } from './options.js';

/*
 * Per-span waste classification in one pass per session. The deduplicated
 * spans (FINAL) are grouped by session, read in sort-key order, into arrays
 * sorted by (Timestamp, SpanId); every window the classification needs is then
 * a reordering of those arrays followed by linear scans:
 *
 *   lag/lead          arrayPopBack(arrayPushFront(a, d)) / arrayPopFront(arrayPushBack(a, d))
 *   first_value       arrayFill(fill forward from the rows that start a partition)
 *   partition end     arrayReverseFill(fill backward from the rows that end one)
 *   running count     arrayCumSum, minus its value at the partition start
 *
 * Each reordering is one arraySort of the session's rows (carried as a tuple)
 * by a numeric key (partition key, row): thread (ParentSpanId) for loops,
 * ping-pong and the issuing model call; retry key for failed retries; file for
 * re-reads and reverted edits; search key and edit epoch for repeated searches.
 * Loops are detected per thread: one agent's calls (same ParentSpanId), so a
 * subagent running beside its parent never interleaves with it. Re-reads and
 * repeated searches are per session. Partitions by ParentSpanId and FilePath use
 * their cityHash64, like the call, retry and search keys.
 *
 * No lambda captures a session-wide array (ClickHouse copies a captured array
 * once per element), except the search for the earliest overlapping prior read,
 * which captures only the session's reads and runs only for reads whose file
 * epoch's first read does not overlap them.
 *
 * Planning this SQL costs a few hundred milliseconds whatever the data, so
 * getSession classifies its one session in TypeScript instead (waste/session.ts,
 * the same rules over WASTE_SPAN_COLUMNS; tests/query/waste-parity checks both
 * agree). A rule changed here must change there too.
 */

/** Waste kinds by code, in priority order (WASTE_KINDS); code 0 is no waste. */
const KIND_SQL = `[${WASTE_KINDS.map((k) => `'${k}'`).join(', ')}]`;
const code = (k: (typeof WASTE_KINDS)[number]) => WASTE_KINDS.indexOf(k) + 1;
const [FAILED_RETRY, REPEATED_CALL, PING_PONG, EDIT_REVERT, REDUNDANT_READ, REPEATED_SEARCH, FAILED_TOOL, FAILED_MODEL] =
  (['failed_retry', 'repeated_call', 'ping_pong', 'edit_revert', 'redundant_read', 'repeated_search', 'failed_tool', 'failed_model'] as const).map(code);

/** Tool kinds by code; 0 is a model call. */
const TOOL_KIND_CODES = ['read', 'write', 'edit', 'search', 'shell', 'delete', 'scan', 'other'];
const [READ, EDIT, WRITE, DELETE, SEARCH, SHELL, SCAN, OTHER] = ['read', 'edit', 'write', 'delete', 'search', 'shell', 'scan', 'other'].map((k) => TOOL_KIND_CODES.indexOf(k) + 1);

/** KindCode values of WASTE_SPAN_COLUMNS. */
export const KIND_CODE = { llm: 0, read: READ, edit: EDIT, write: WRITE, delete: DELETE, search: SEARCH, shell: SHELL, scan: SCAN, other: OTHER } as const;

/**
 * TOOL_KIND_SQL as a code, with one lookup per distinct tool name (on the LowCardinality
 * dictionary) instead of one has() per list per row. Names listed under several kinds take
 * the first in TOOL_KIND_SQL's order: read, edit, write, search, delete, shell.
 */
function toolKindLookup(): { names: string[]; codes: number[] } {
  const order: [keyof typeof TOOL_KINDS, number][] = [['read', READ], ['edit', EDIT], ['write', WRITE], ['search', SEARCH], ['delete', DELETE], ['shell', SHELL]];
  const seen = new Map<string, number>();
  for (const [kind, c] of order) for (const name of TOOL_KINDS[kind]) if (!seen.has(name)) seen.set(name, c);
  return { names: [...seen.keys()], codes: [...seen.values()] };
}
const KIND_CODE_SQL = `multiIf(
  IsLlm, 0,
  (transform(lower(ToolName), {kindNames:Array(String)}, {kindCodes:Array(UInt8)}, ${OTHER}) AS ToolKind) = ${EDIT},
    if(LinesRemoved = 0 AND LinesAdded > 0 AND lower(ToolName) = 'apply_patch', ${WRITE}, ${EDIT}),
  ToolKind = ${SHELL},
    multiIf(match(Command, '^\\\\s*(git\\\\s+)?rm\\\\s'), ${DELETE}, has({scanCommands:Array(String)}, splitByWhitespace(trimLeft(Command))[1]), ${SCAN}, ${SHELL}),
  ToolKind)`;

/**
 * What waste detection derives from each span: its kind (KindCode, 0 for a model call), the
 * keys that make two calls the same (CallKey), the same retried command (RetryKey) or the same
 * search (SearchKey), the line range read and the hashes of an edit's old and new text.
 * Shared by the pipeline and by getSession, which classifies one session's rows itself.
 */
export const WASTE_SPAN_COLUMNS = `InputTokens + OutputTokens + CacheReadTokens + CacheWriteTokens AS Tokens,
  SpanType = 'llm' AS IsLlm,
  toUInt8(${KIND_CODE_SQL}) AS KindCode,
  cityHash64(ToolName, if(ArgsHash != '', ArgsHash, concat(Command, '|', FilePath, '|', SearchPattern, '|', toString(ReadOffset), ':', toString(ReadLimit)))) AS CallKey,
  if(Command != '', cityHash64(ToolName, Command), CallKey) AS RetryKey,
  multiIf(KindCode = ${SEARCH}, cityHash64(ToolName, SearchPattern, FilePath), KindCode = ${SCAN}, cityHash64('shell', Command), 0) AS SearchKey,
  if(ReadOffset = 0, 1, ReadOffset) AS RangeStart,
  if(ReadLimit = 0, 4294967295, RangeStart + ReadLimit - 1) AS RangeEnd,
  if(KindCode = ${EDIT}, if(SpanAttributes['fulcrum.tool.args'] != '', SpanAttributes['fulcrum.tool.args'], SpanAttributes['gen_ai.tool.call.arguments']), '') AS EditArgs,
  if(EditArgs = '', 0, cityHash64(JSONExtractString(EditArgs, 'old_string'))) AS EditOld,
  if(EditArgs = '', 0, cityHash64(JSONExtractString(EditArgs, 'new_string'))) AS EditNew`;

/** Bound parameters of WASTE_SPAN_COLUMNS. */
export function wasteSpanParams(): Record<string, unknown> {
  const kinds = toolKindLookup();
  return { ...toolKindParams(), kindNames: kinds.names, kindCodes: kinds.codes };
}


// Linear scans over arrays, none capturing an array.
const lag = (a: string, d: string) => `arrayPopBack(arrayPushFront(${a}, ${d}))`;
const lead = (a: string, d: string) => `arrayPopFront(arrayPushBack(${a}, ${d}))`;
/** Value at the latest row <= this one where `marks` is set. */
const fwd = (v: string, marks: string) => `arrayFill((x, m) -> m, ${v}, ${marks})`;
/** Value at the earliest row >= this one where `marks` is set. */
const back = (v: string, marks: string) => `arrayReverseFill((x, m) -> m, ${v}, ${marks})`;
const map = (lambda: string, ...arrays: string[]) => `arrayMap(${lambda}, ${arrays.join(', ')})`;
/** 1 where the key differs from the previous row's: a partition starts. */
const starts = (key: string) => map('(x, y, j) -> j = 1 OR x != y', key, lag(key, `${key}[1]`), `arrayEnumerate(${key})`);
/** 1 on a partition's last row, given its starts. */
const ends = (s: string) => lead(s, '1');

/**
 * The rows of one space (an ordering of the session's rows): `fields` carried
 * as one tuple array sorted by `key`, each readable as `${prefix}_${field}`.
 */
function space(prefix: string, fields: readonly string[], from: (f: string) => string, sorted: (zipped: string) => string): string[] {
  const zipped = `arrayZip(${fields.map(from).join(', ')})`;
  return [`${sorted(zipped)} AS ${prefix}_rows`, ...fields.map((f, i) => `tupleElement(${prefix}_rows, ${i + 1}) AS ${prefix}_${f}`)];
}

/**
 * Nested SELECTs computing `defs` (each "expr AS name", in dependency order) over `from`.
 * ClickHouse substitutes an alias's expression wherever it is used, so a chain of aliases in
 * one SELECT grows exponentially, while every nested SELECT adds planning time (growing with
 * depth times width). So a name is substituted where it is used while its expanded text stays
 * under `budget` characters (identical expressions are computed once per SELECT), and only
 * bigger ones become columns of the shallowest layer their inputs allow.
 */
function layered(from: string, baseCols: readonly string[], defs: readonly string[], outputs: readonly string[], budget = 100): string {
  const word = /\b[a-z]_[A-Za-z0-9]+\b/g;
  const parsed = defs.map((d) => {
    const at = d.lastIndexOf(' AS ');
    return { name: d.slice(at + 4), expr: d.slice(0, at) };
  });
  const uses = new Map<string, number>();
  for (const e of [...parsed.map((d) => d.expr), outputs.join(' ')]) for (const r of e.match(word) ?? []) uses.set(r, (uses.get(r) ?? 0) + 1);
  const inline = new Map<string, string>();
  const layer = new Map<string, number>(baseCols.map((c) => [c, 0]));
  const kept: { name: string; expr: string }[] = [];
  const expand = (e: string) => e.replace(word, (n) => (inline.has(n) ? `(${inline.get(n)})` : n));
  const depthOf = (e: string) => Math.max(0, ...(e.match(word) ?? []).map((n) => layer.get(n) ?? 0));
  for (const d of parsed) {
    const expr = expand(d.expr);
    if (uses.get(d.name) === 1 || expr.length <= budget) inline.set(d.name, expr);
    else {
      kept.push({ name: d.name, expr });
      layer.set(d.name, 1 + depthOf(expr));
    }
  }
  const out = outputs.map(expand);
  const depth = Math.max(0, ...kept.map((d) => layer.get(d.name)!));
  const lastUse = new Map<string, number>();
  for (const d of kept) for (const r of d.expr.match(word) ?? []) lastUse.set(r, Math.max(lastUse.get(r) ?? 0, layer.get(d.name)!));
  for (const r of out.join(' ').match(word) ?? []) lastUse.set(r, depth + 1);
  let sql = from;
  for (let k = 1; k <= depth; k++) {
    const pass = [...layer].filter(([n, l]) => l < k && (lastUse.get(n) ?? 0) > k).map(([n]) => n);
    const cols = [...pass, ...kept.filter((d) => layer.get(d.name) === k).map((d) => `${d.expr} AS ${d.name}`)];
    sql = `SELECT ${cols.join(',\n  ')}\nFROM (${sql})`;
  }
  return `SELECT ${out.join(',\n  ')}\nFROM (${sql})`;
}

/** Everything a wasted span is output with, in this order. */
const OUT = ['id', 'ts', 'tool', 'file', 'cmd', 'code', 'anc1', 'anc2', 'size', 'shareTok', 'shareCost', 'noIssuer', 'tok', 'cost'] as const;
const OUT_TYPE = 'Array(Tuple(String, DateTime64(9), String, String, String, UInt8, String, String, UInt64, UInt64, Float64, UInt8, UInt64, Float64))';
/** Tuple of OUT for the rows of a space where `codeExpr` (a per-row expression over `${p}_` arrays) is set. */
function wasted(p: string, codeArr: string, over: Partial<Record<(typeof OUT)[number], string>> = {}): string {
  const cols = OUT.map((f) => over[f] ?? (f === 'code' ? codeArr : `${p}_${f}`));
  return `CAST(arrayFilter((t, c) -> c != 0, arrayZip(${cols.join(', ')}), ${codeArr}) AS ${OUT_TYPE})`;
}

/**
 * SQL yielding one row per session with waste candidates: s_sid (SessionId), s_price (the
 * session's input price per token) and w_rows, its wasted spans as tuples of OUT (code is a
 * 1-based index into WASTE_KINDS), before they are turned into tokens and dollars.
 */
export function wastedRowsSql(scope: QueryScope, options: WasteOptions = {}): BoundSql {
  const where = scopeWhere(scope);
  const minRepeat = options.minRepeat ?? WASTE_DEFAULTS.minRepeat;
  if (!Number.isInteger(minRepeat) || minRepeat < 2) throw new RangeError(`minRepeat must be an integer >= 2, got ${minRepeat}`);

  // One row per span: keys and measures, computed before grouping.
  const spans = `SELECT SessionId, Timestamp, SpanId, ParentSpanId, ToolName, FilePath, Command, Success, FileUnchanged, ResultSize, CostUsd,
  Model, ${WASTE_SPAN_COLUMNS}
FROM spans FINAL
WHERE ${where.sql} AND SpanType IN ('llm', 'tool', 'mcp')`;

  const G: Record<string, string> = {
    ts: 'Timestamp', id: 'SpanId', par: 'cityHash64(ParentSpanId)', kd: 'KindCode', ok: 'Success', unch: 'FileUnchanged',
    ck: 'CallKey', rk: 'RetryKey', sk: 'SearchKey', rs: 'RangeStart', re: 'RangeEnd', file: 'FilePath', fh: 'cityHash64(FilePath)',
    size: 'ResultSize', tok: 'Tokens', cost: 'CostUsd', eo: 'EditOld', en: 'EditNew', tool: 'ToolName', cmd: 'Command',
  };
  const grouped = `SELECT SessionId AS s_sid, ${Object.entries(G).map(([f, e]) => `groupArray(${e}) AS g_${f}`).join(', ')},
  argMaxIf(Model, (Tokens, -toUnixTimestamp64Nano(Timestamp)), IsLlm) AS SessionModel,
  if(${inputPriceSql('SessionModel')} > 0, ${inputPriceSql('SessionModel')}, sumIf(CostUsd, IsLlm) / greatest(sumIf(Tokens, IsLlm), 1)) AS s_price
FROM (${spans})
GROUP BY SessionId`;

  const x: string[] = [];
  // A: session order (Timestamp, SpanId); the edit epoch of the session.
  const aFields = Object.keys(G);
  x.push(...space('a', aFields, (f) => `g_${f}`, (z) => `arraySort((z, t, s) -> (t, s), ${z}, g_ts, g_id)`));
  x.push(`arrayEnumerate(a_id) AS a_i`, `arrayCumSum(${map(`k -> k IN (${EDIT}, ${WRITE}, ${DELETE})`, 'a_kd')}) AS a_ep`);

  // B: thread order (ParentSpanId, row): loops, ping-pong, the model call that issued each tool call.
  const bFields = ['i', 'par', 'kd', 'ck', 'id', 'ts', 'tok', 'cost', 'ok', 'unch', 'rk', 'sk', 'ep', 'rs', 're', 'file', 'fh', 'size', 'eo', 'en', 'tool', 'cmd'];
  // Sorting by (thread, row) keeps session order when the session has one thread, as most do: then the sort is skipped (the if's branches are evaluated per row only where taken).
  const bKey = map('(p, i) -> bitOr(bitShiftLeft(toUInt128(p), 32), i)', 'a_par', 'a_i');
  x.push(...space('b', bFields, (f) => `a_${f}`, (z) => `if(arrayMin(a_par) = arrayMax(a_par), ${z}, arraySort((z, k) -> k, ${z}, ${bKey}))`));
  x.push(
    `${starts('b_par')} AS b_thr`,
    `${map('k -> k != 0', 'b_kd')} AS b_t`,
    `${map('k -> k = 0', 'b_kd')} AS b_llm`,
    `arrayCumSum(b_t) AS b_tc`,
    `${map('(c, t) -> c - t', 'b_tc', 'b_t')} AS b_tc0`,
    `${map('(c, s) -> c - s', 'b_tc', fwd('b_tc0', 'b_thr'))} AS b_pos`,
    `${lag(fwd('b_ck', 'b_t'), '0')} AS b_k1`,
    `${lag(fwd('b_k1', 'b_t'), '0')} AS b_k2`,
    `${lag(fwd('b_id', 'b_t'), "''")} AS b_id1`,
    `${lag(fwd('b_id1', 'b_t'), "''")} AS b_id2`,
    `${map('(t, p, c, k1) -> t AND (p = 1 OR c != k1)', 'b_t', 'b_pos', 'b_ck', 'b_k1')} AS b_newRun`,
    `${map('(t, p, c, k1, k2) -> t AND p > 2 AND c = k2 AND c != k1', 'b_t', 'b_pos', 'b_ck', 'b_k1', 'b_k2')} AS b_pp`,
    `${map('(p, q) -> p AND NOT q', 'b_pp', lag(fwd('b_pp', 'b_t'), '0'))} AS b_ppStart`,
    // runs of identical calls
    `${map('(a, b) -> a OR b', 'b_newRun', 'b_thr')} AS b_runB`,
    `${fwd('b_tc', 'b_runB')} AS b_runC0`,
    `${map('(e, s) -> e - s + 1', back('b_tc', ends('b_runB')), 'b_runC0')} AS b_runLen`,
    `${map('(c, s) -> c - s + 1', 'b_tc', 'b_runC0')} AS b_runPos`,
    // ping-pong stretches
    `${map('(a, b) -> a OR b', 'b_ppStart', 'b_thr')} AS b_ppB`,
    `arrayCumSum(b_pp) AS b_ppc`,
    `${map('(e, s) -> e - s', back('b_ppc', ends('b_ppB')), fwd(map('(c, p) -> c - p', 'b_ppc', 'b_pp'), 'b_ppB'))} AS b_ppLen`,
    // the issuing model call: the latest one before the tool call in its thread
    `${map('(a, b) -> a OR b', 'b_llm', 'b_thr')} AS b_issB`,
    `${map('(e, s) -> e - s', back('b_tc', ends('b_issB')), fwd('b_tc0', 'b_issB'))} AS b_issued`,
    `${map('(l, n) -> intDiv(l, greatest(n, 1))', fwd(map('(t, l) -> t * l', 'b_tok', 'b_llm'), 'b_issB'), 'b_issued')} AS b_shareTok`,
    `${map('(l, n) -> l / greatest(n, 1)', fwd(map('(c, l) -> c * l', 'b_cost', 'b_llm'), 'b_issB'), 'b_issued')} AS b_shareCost`,
    `${map('l -> NOT l', fwd('b_llm', 'b_issB'))} AS b_noIssuer`,
    `${map(`(t, rl, rp, pp, pl) -> multiIf(NOT t, 0, rl >= {minRepeat:UInt32} AND rp > 1, ${REPEATED_CALL}, pp AND pl >= 2, ${PING_PONG}, 0)`, 'b_t', 'b_runLen', 'b_runPos', 'b_pp', 'b_ppLen')} AS b_code`,
    `${map(`(c, r, a) -> multiIf(c = ${REPEATED_CALL}, r, c = ${PING_PONG}, a, '')`, 'b_code', fwd('b_id', 'b_runB'), fwd('b_id2', 'b_ppB'))} AS b_anc1`,
    `${map(`(c, a) -> if(c = ${PING_PONG}, a, '')`, 'b_code', fwd('b_id1', 'b_ppB'))} AS b_anc2`,
    `${map('(l, o) -> l AND NOT o', 'b_llm', 'b_ok')} AS b_fm`,
    // model calls leave here: their only waste is failing
  );

  // D: tool calls in retry-key order: a call after a failure of the same call is a retry.
  const dFields = ['i', 'rk', 'id', 'ts', 'ok', 'kd', 'unch', 'sk', 'ep', 'rs', 're', 'file', 'fh', 'size', 'eo', 'en', 'tool', 'cmd', 'code', 'anc1', 'anc2', 'shareTok', 'shareCost', 'noIssuer'];
  x.push(...space('d', dFields, (f) => `b_${f}`, (z) => `arraySort((z, k) -> k, arrayFilter((z, t) -> t, ${z}, b_t), arrayFilter((k, t) -> t, ${map('(r, i) -> bitOr(bitShiftLeft(toUInt128(r), 32), i)', 'b_rk', 'b_i')}, b_t))`));
  x.push(
    `arrayEnumerate(d_id) AS d_j`,
    `${map('(s, o) -> s OR o', starts('d_rk'), lag('d_ok', '1'))} AS d_chainB`,
    `${fwd('d_j', 'd_chainB')} AS d_chain0`,
    `${map('(e, s, j) -> e > s AND j > s', back('d_j', ends('d_chainB')), 'd_chain0', 'd_j')} AS d_retry`,
    `${map(`(r, c) -> if(r, ${FAILED_RETRY}, c)`, 'd_retry', 'd_code')} AS d_code2`,
    `${map('(r, f, a) -> if(r, f, a)', 'd_retry', fwd('d_id', 'd_chainB'), 'd_anc1')} AS d_anc1b`,
    `${map("(r, a) -> if(r, '', a)", 'd_retry', 'd_anc2')} AS d_anc2b`,
  );

  // E: tool calls by file: reads since the file last changed, edits undoing the previous edit.
  const eFields = ['i', 'fh', 'id', 'ts', 'ok', 'kd', 'unch', 'sk', 'ep', 'rs', 're', 'file', 'size', 'eo', 'en', 'tool', 'cmd', 'code2', 'anc1b', 'anc2b', 'shareTok', 'shareCost', 'noIssuer'];
  x.push(...space('e', eFields, (f) => `d_${f}`, (z) => `arraySort((z, k) -> k, ${z}, ${map('(f, i) -> bitOr(bitShiftLeft(toUInt128(f), 32), i)', 'd_fh', 'd_i')})`));
  x.push(
    `${starts('e_fh')} AS e_file0`,
    `${map(`k -> k = ${READ}`, 'e_kd')} AS e_read`,
    `${map(`k -> k = ${EDIT}`, 'e_kd')} AS e_edit`,
    `${map(`(k, s) -> s OR k IN (${EDIT}, ${WRITE}, ${DELETE})`, 'e_kd', 'e_file0')} AS e_epochB`,
    `${map('(c, r) -> c - r', 'arrayCumSum(e_read)', 'e_read')} AS e_rc0`,
    `${map('(c, s) -> c - s', 'e_rc0', fwd('e_rc0', 'e_epochB'))} AS e_prior`,
    `${map('(r, p) -> r AND p = 0', 'e_read', 'e_prior')} AS e_firstRead`,
    `${fwd('e_id', 'e_firstRead')} AS e_firstId`,
    `${map('(s, e, fs, fe) -> fs <= e AND s <= fe', 'e_rs', 'e_re', fwd('e_rs', 'e_firstRead'), fwd('e_re', 'e_firstRead'))} AS e_overlapFirst`,
    // reads with earlier reads in their epoch, none of the higher kinds, whose epoch's first read does not overlap: searched below
    `${map("(r, p, o, c, f) -> r AND p > 0 AND (NOT o OR f = '') AND c = 0", 'e_read', 'e_prior', 'e_overlapFirst', 'e_code2', 'e_firstId')} AS e_search`,
    `${map('(c, e) -> c - e', 'arrayCumSum(e_edit)', 'e_edit')} AS e_ec0`,
    `${map('(c, s) -> c > s', 'e_ec0', fwd('e_ec0', 'e_file0'))} AS e_hasPrevEdit`,
    `${lag(fwd('e_eo', 'e_edit'), '0')} AS e_prevOld`,
    `${lag(fwd('e_en', 'e_edit'), '0')} AS e_prevNew`,
    `${lag(fwd('e_id', 'e_edit'), "''")} AS e_prevEdit`,
    `${map(`(c, ed, h, pid, o, n, po, pn) -> if(c = 0 AND ed AND h AND pid != '' AND o != n AND o != 0 AND o = pn AND n = po, ${EDIT_REVERT}, 0)`, 'e_code2', 'e_edit', 'e_hasPrevEdit', 'e_prevEdit', 'e_eo', 'e_en', 'e_prevOld', 'e_prevNew')} AS e_revert`,
    `${map("(r, p, o, c, f) -> r AND p > 0 AND o AND f != '' AND c = 0", 'e_read', 'e_prior', 'e_overlapFirst', 'e_code2', 'e_firstId')} AS e_reread`,
    `${map(`(c, rv, rr) -> multiIf(c != 0, c, rv != 0, rv, rr, ${REDUNDANT_READ}, 0)`, 'e_code2', 'e_revert', 'e_reread')} AS e_code3`,
    `${map(`(c, a, rv, rr, p, f) -> multiIf(c != 0, a, rv != 0, p, rr, f, '')`, 'e_code2', 'e_anc1b', 'e_revert', 'e_reread', 'e_prevEdit', 'e_firstId')} AS e_anc1`,
    `e_anc2b AS e_anc2`,
    // the searched reads: the earliest overlapping read since the file last changed, else (file unchanged) the latest
    `arrayFilter((z, r) -> r, arrayZip(e_rs, e_re, e_id), e_read) AS e_reads`,
    `arrayFilter((z, s) -> s, arrayZip(e_id, e_ts, e_tool, e_file, e_cmd, e_size, e_shareTok, e_shareCost, e_noIssuer, e_ok, e_unch, e_rs, e_re, ${map('(c, p) -> toUInt32(c - p)', 'e_rc0', 'e_prior')}, e_prior, ${lag(fwd('e_id', 'e_read'), "''")}), e_search) AS q_rows`,
    ...['id', 'ts', 'tool', 'file', 'cmd', 'size', 'shareTok', 'shareCost', 'noIssuer', 'ok', 'unch', 'rs', 're', 'lo', 'n', 'last'].map((f, i) => `tupleElement(q_rows, ${i + 1}) AS q_${f}`),
    `${map('(lo, n, a, b) -> arrayFirst(r -> r.1 <= b AND a <= r.2, arraySlice(e_reads, lo + 1, n)).3', 'q_lo', 'q_n', 'q_rs', 'q_re')} AS q_overlap`,
    `${map(`(o, u, ok) -> multiIf(o != '' OR u, ${REDUNDANT_READ}, NOT ok, ${FAILED_TOOL}, 0)`, 'q_overlap', 'q_unch', 'q_ok')} AS q_code`,
    `${map(`(c, o, l) -> if(c = ${REDUNDANT_READ}, if(o != '', o, l), '')`, 'q_code', 'q_overlap', 'q_last')} AS q_anc1`,
  );

  // F: searches in (search key, edit epoch) order; the rest are final.
  const fFields = ['sk', 'ep', 'i', 'id', 'ts', 'ok', 'tool', 'file', 'cmd', 'size', 'code3', 'anc1', 'anc2', 'shareTok', 'shareCost', 'noIssuer'];
  x.push(
    `${map('(s, q) -> s != 0 AND NOT q', 'e_sk', 'e_search')} AS e_toF`,
    ...space('f', fFields, (f) => `e_${f}`, (z) => `arraySort((z, k) -> k, arrayFilter((z, t) -> t, ${z}, e_toF), arrayFilter((k, t) -> t, ${map('(s, p, i) -> bitOr(bitShiftLeft(toUInt128(s), 64), bitOr(bitShiftLeft(toUInt128(p), 32), i))', 'e_sk', 'e_ep', 'e_i')}, e_toF))`),
    `${map('(s, p) -> bitOr(bitShiftLeft(toUInt128(s), 32), p)', 'f_sk', 'f_ep')} AS f_part`,
    `${starts('f_part')} AS f_first`,
    `${map(`(c, s, ok) -> multiIf(c != 0, c, NOT s, ${REPEATED_SEARCH}, NOT ok, ${FAILED_TOOL}, 0)`, 'f_code3', 'f_first', 'f_ok')} AS f_code`,
    `${map(`(c, a, f) -> if(c = ${REPEATED_SEARCH}, f, a)`, 'f_code', 'f_anc1', fwd('f_id', 'f_first'))} AS f_anc1x`,
  );
  // Rows of E that go neither to F nor to the read search are final here.
  x.push(`${map(`(c, f, s, ok) -> if(f OR s, 0, multiIf(c != 0, c, NOT ok, ${FAILED_TOOL}, 0))`, 'e_code3', 'e_toF', 'e_search', 'e_ok')} AS e_final`);
  x.push('arrayMap(x -> toUInt64(0), e_id) AS e_tok', 'arrayMap(x -> toFloat64(0), e_id) AS e_cost', "arrayMap(x -> '', q_id) AS q_anc2", 'arrayMap(x -> toUInt64(0), q_id) AS q_tok', 'arrayMap(x -> toFloat64(0), q_id) AS q_cost', 'arrayMap(x -> toUInt64(0), f_id) AS f_tok', 'arrayMap(x -> toFloat64(0), f_id) AS f_cost', "arrayMap(x -> '', b_id) AS b_blank");

  const w = `arrayConcat(
    ${wasted('b', `arrayMap(f -> f * ${FAILED_MODEL}, b_fm)`, { anc1: 'b_blank', anc2: 'b_blank' })},
    ${wasted('e', 'e_final')},
    ${wasted('q', 'q_code')},
    ${wasted('f', 'f_code', { anc1: 'f_anc1x' })}
  ) AS w_rows`;
  const mid = layered(grouped, ['s_sid', 's_price', ...Object.keys(G).map((f) => `g_${f}`)], x, ['s_sid', 's_price', w]);
  return { sql: mid, params: { ...where.params, ...wasteSpanParams(), ...inputPriceParams(), minRepeat } };
}

/** 1-based positions of OUT in a w_rows tuple. */
export const W = Object.fromEntries(OUT.map((f, i) => [f, i + 1])) as Record<(typeof OUT)[number], number>;

/**
 * Per wasted span of a w_rows element `w` (in a session whose price is `price`): whether its
 * tokens are estimated, its tokens and its dollars, as SQL expressions.
 */
export function wasteMeasures(w: string, price: string): { estimated: string; tokens: string; cost: string } {
  const f = (k: keyof typeof W) => `${w}.${W[k]}`;
  const estimated = `(${f('code')} IN (${REDUNDANT_READ}, ${REPEATED_SEARCH}) OR (${f('code')} != ${FAILED_MODEL} AND ${f('noIssuer')}))`;
  const tokens = `multiIf(${f('code')} = ${FAILED_MODEL}, ${f('tok')}, ${estimated}, intDiv(${f('size')} + 3, 4), ${f('shareTok')})`;
  const cost = `multiIf(${f('code')} = ${FAILED_MODEL}, ${f('cost')}, ${estimated}, (${tokens}) * ${price}, ${f('shareCost')})`;
  return { estimated, tokens, cost };
}

/** A wasted span's anchors, as SQL over its w_rows element `w`: two for ping-pong, none for plain failures, else one. */
export function wasteAnchors(w: string): string {
  return `multiIf(${w}.${W.code} = ${PING_PONG}, [${w}.${W.anc1}, ${w}.${W.anc2}], ${w}.${W.code} >= ${FAILED_TOOL}, [], [${w}.${W.anc1}])`;
}

/** SQL yielding one row per wasted span: SessionId, SpanId, Timestamp, ToolName, FilePath, Command, WasteKind, Anchors, Estimated, WasteTokens, WasteCost. */
export function wastedSpansSql(scope: QueryScope, options: WasteOptions = {}): BoundSql {
  const r = wastedRowsSql(scope, options);
  const mid = r.sql;
  const [ID, TS, TOOL, FILE, CMD, CODE, ANC1, ANC2, SIZE, SHARE_TOK, SHARE_COST, NO_ISSUER, TOK, COST] = OUT.map((_, i) => `w.${i + 1}`);
  const sql = `SELECT s_sid AS SessionId, ${ID} AS SpanId, ${TS} AS Timestamp, ${TOOL} AS ToolName, ${FILE} AS FilePath, ${CMD} AS Command,
  ${KIND_SQL}[${CODE}] AS WasteKind,
  multiIf(${CODE} = ${PING_PONG}, [${ANC1}, ${ANC2}], ${CODE} >= ${FAILED_TOOL}, [], [${ANC1}]) AS Anchors,
  ${CODE} IN (${REDUNDANT_READ}, ${REPEATED_SEARCH}) OR (${CODE} != ${FAILED_MODEL} AND ${NO_ISSUER}) AS Estimated,
  multiIf(${CODE} = ${FAILED_MODEL}, ${TOK}, Estimated, intDiv(${SIZE} + 3, 4), ${SHARE_TOK}) AS WasteTokens,
  multiIf(${CODE} = ${FAILED_MODEL}, ${COST}, Estimated, WasteTokens * s_price, ${SHARE_COST}) AS WasteCost
FROM (${mid})
ARRAY JOIN w_rows AS w`;
  return { sql, params: r.params };
}
