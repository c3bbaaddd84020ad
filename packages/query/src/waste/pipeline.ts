import { inputPriceParams, inputPriceSql } from '../prices.js';
import { scopeWhere, type BoundSql, type QueryScope } from '../scope.js';
import { TOOL_KIND_SQL, toolKindParams } from '../tool-kinds.js';
import { WASTE_DEFAULTS, type WasteOptions } from './options.js';

/*
 * Per-span waste classification as one pipeline of window functions over the
 * deduplicated spans (FINAL), so a report reads the table once. Each layer adds
 * columns the next one needs (ClickHouse cannot window over a window result in
 * the same SELECT). Loops are detected per thread: one agent's calls (same
 * ParentSpanId), so a subagent running beside its parent never interleaves
 * with it. Re-reads and repeated searches are per session.
 */

const ORDER = 'ORDER BY Timestamp, SpanId ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW';
const THREAD = `PARTITION BY SessionId, ParentSpanId, IsLlm ${ORDER}`;
const CHAIN = 'PARTITION BY SessionId, IsLlm, RetryKey, ChainId';
const RUN = 'PARTITION BY SessionId, ParentSpanId, IsLlm, RunId';
const PPW = 'PARTITION BY SessionId, ParentSpanId, IsLlm, PPId';

const BASE = (where: string) => `SELECT SessionId, SpanId, ParentSpanId, Timestamp, SpanType, ToolName, Model, Success,
  FilePath, ReadOffset, ReadLimit, Command, SearchPattern, ResultSize, FileUnchanged, CostUsd,
  InputTokens + OutputTokens + CacheReadTokens + CacheWriteTokens AS Tokens,
  SpanType = 'llm' AS IsLlm,
  if(IsLlm, '', ${TOOL_KIND_SQL}) AS Kind,
  cityHash64(ToolName, if(ArgsHash != '', ArgsHash, concat(Command, '|', FilePath, '|', SearchPattern, '|', toString(ReadOffset), ':', toString(ReadLimit)))) AS CallKey,
  if(Command != '', cityHash64(ToolName, Command), CallKey) AS RetryKey,
  multiIf(Kind = 'search', cityHash64(ToolName, SearchPattern, FilePath), Kind = 'scan', cityHash64('shell', Command), 0) AS SearchKey,
  if(ReadOffset = 0, 1, ReadOffset) AS RangeStart,
  if(ReadLimit = 0, 4294967295, RangeStart + ReadLimit - 1) AS RangeEnd,
  if(Kind = 'edit', if(SpanAttributes['fulcrum.tool.args'] != '', SpanAttributes['fulcrum.tool.args'], SpanAttributes['gen_ai.tool.call.arguments']), '') AS EditArgs,
  if(EditArgs = '', 0, cityHash64(JSONExtractString(EditArgs, 'old_string'))) AS EditOld,
  if(EditArgs = '', 0, cityHash64(JSONExtractString(EditArgs, 'new_string'))) AS EditNew
FROM spans FINAL
WHERE ${where} AND SpanType IN ('llm', 'tool', 'mcp')`;

const L1 = `SELECT *,
  countIf(IsLlm) OVER (PARTITION BY SessionId, ParentSpanId ${ORDER}) AS LlmSeq,
  argMaxIf(Model, Tokens, IsLlm) OVER (PARTITION BY SessionId) AS SessionModel,
  sumIf(CostUsd, IsLlm) OVER (PARTITION BY SessionId) / greatest(sumIf(Tokens, IsLlm) OVER (PARTITION BY SessionId), 1) AS BlendedPrice,
  countIf(Kind IN ('edit', 'write', 'delete')) OVER (PARTITION BY SessionId, FilePath ${ORDER}) AS FileEpoch,
  countIf(Kind IN ('edit', 'write', 'delete')) OVER (PARTITION BY SessionId ${ORDER}) AS SessionEpoch`;

const L2 = `SELECT *,
  sumIf(Tokens, IsLlm) OVER issuer AS IssuerTokens,
  sumIf(CostUsd, IsLlm) OVER issuer AS IssuerCost,
  countIf(NOT IsLlm) OVER issuer AS Issued,
  if(${inputPriceSql('SessionModel')} > 0, ${inputPriceSql('SessionModel')}, BlendedPrice) AS InputPrice,
  lagInFrame(CallKey, 1, 0) OVER thread AS K1,
  lagInFrame(CallKey, 2, 0) OVER thread AS K2,
  lagInFrame(SpanId, 1, '') OVER thread AS Id1,
  lagInFrame(SpanId, 2, '') OVER thread AS Id2,
  row_number() OVER thread AS Pos,
  lagInFrame(NOT Success, 1, false) OVER (PARTITION BY SessionId, IsLlm, RetryKey ${ORDER}) AS PrevFailed,
  groupArrayIf((RangeStart, RangeEnd, SpanId), Kind = 'read') OVER (PARTITION BY SessionId, FilePath, FileEpoch ORDER BY Timestamp, SpanId ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS PriorReads,
  first_value(SpanId) OVER (PARTITION BY SessionId, SearchKey, SessionEpoch ${ORDER}) AS SearchFirst,
  row_number() OVER (PARTITION BY SessionId, SearchKey, SessionEpoch ${ORDER}) AS SearchPos,
  lagInFrame(EditOld, 1, 0) OVER edits AS PrevEditOld,
  lagInFrame(EditNew, 1, 0) OVER edits AS PrevEditNew,
  lagInFrame(SpanId, 1, '') OVER edits AS PrevEditId
WINDOW issuer AS (PARTITION BY SessionId, ParentSpanId, LlmSeq),
  thread AS (${THREAD}),
  edits AS (PARTITION BY SessionId, FilePath, Kind ${ORDER})`;

const L3 = `SELECT *,
  Pos = 1 OR CallKey != K1 AS NewRun,
  Pos > 2 AND CallKey = K2 AND CallKey != K1 AS PP,
  sum(NOT PrevFailed) OVER (PARTITION BY SessionId, IsLlm, RetryKey ${ORDER}) AS ChainId`;

const L4 = `SELECT *,
  sum(NewRun) OVER thread AS RunId,
  PP AND NOT lagInFrame(PP, 1, false) OVER thread AS PPStart,
  count() OVER (${CHAIN}) AS ChainLen,
  first_value(SpanId) OVER (${CHAIN} ${ORDER}) AS ChainFirst,
  row_number() OVER (${CHAIN} ${ORDER}) AS ChainPos
WINDOW thread AS (${THREAD})`;

const L5 = `SELECT *,
  count() OVER (${RUN}) AS RunLen,
  first_value(SpanId) OVER (${RUN} ${ORDER}) AS RunFirst,
  row_number() OVER (${RUN} ${ORDER}) AS RunPos,
  sum(PPStart) OVER (${THREAD}) AS PPId`;

const L6 = `SELECT *,
  countIf(PP) OVER (${PPW}) AS PPLen,
  first_value(Id2) OVER (${PPW} ${ORDER}) AS PPAnchor1,
  first_value(Id1) OVER (${PPW} ${ORDER}) AS PPAnchor2`;

/** The last layer: one waste kind per span (by priority), its anchors and its price. */
const L7 = `SELECT SessionId, SpanId, Timestamp, ToolName, FilePath, Command,
  arrayFirst(r -> r.1 <= RangeEnd AND RangeStart <= r.2, PriorReads).3 AS OverlapId,
  multiIf(
    NOT IsLlm AND ChainLen >= 2 AND ChainPos > 1, 'failed_retry',
    NOT IsLlm AND RunLen >= {minRepeat:UInt32} AND RunPos > 1, 'repeated_call',
    NOT IsLlm AND PP AND PPLen >= 2, 'ping_pong',
    Kind = 'edit' AND EditOld != EditNew AND EditOld != 0 AND PrevEditId != '' AND EditOld = PrevEditNew AND EditNew = PrevEditOld, 'edit_revert',
    Kind = 'read' AND (OverlapId != '' OR (FileUnchanged AND length(PriorReads) > 0)), 'redundant_read',
    SearchKey != 0 AND SearchPos > 1, 'repeated_search',
    NOT IsLlm AND NOT Success, 'failed_tool',
    IsLlm AND NOT Success, 'failed_model',
    '') AS WasteKind,
  multiIf(
    WasteKind = 'failed_retry', [ChainFirst],
    WasteKind = 'repeated_call', [RunFirst],
    WasteKind = 'ping_pong', [PPAnchor1, PPAnchor2],
    WasteKind = 'edit_revert', [PrevEditId],
    WasteKind = 'redundant_read', [if(OverlapId != '', OverlapId, PriorReads[-1].3)],
    WasteKind = 'repeated_search', [SearchFirst],
    []) AS Anchors,
  WasteKind IN ('redundant_read', 'repeated_search') OR (NOT IsLlm AND (LlmSeq = 0 OR Issued = 0)) AS Estimated,
  multiIf(IsLlm, Tokens, Estimated, intDiv(ResultSize + 3, 4), intDiv(IssuerTokens, Issued)) AS WasteTokens,
  multiIf(IsLlm, CostUsd, Estimated, WasteTokens * InputPrice, IssuerCost / Issued) AS WasteCost
FROM (%L6%)
WHERE WasteKind != ''`;

/** SQL yielding one row per wasted span: SessionId, SpanId, WasteKind, Anchors, WasteTokens, WasteCost, Estimated... */
export function wastedSpansSql(scope: QueryScope, options: WasteOptions = {}): BoundSql {
  const where = scopeWhere(scope);
  const minRepeat = options.minRepeat ?? WASTE_DEFAULTS.minRepeat;
  if (!Number.isInteger(minRepeat) || minRepeat < 2) throw new RangeError(`minRepeat must be an integer >= 2, got ${minRepeat}`);
  let sql = BASE(where.sql);
  for (const layer of [L1, L2, L3, L4, L5, L6]) {
    const inner = sql;
    sql = layer.replace(/\nWINDOW|$/, (m) => `\nFROM (${inner})${m}`);
  }
  const l6 = sql;
  sql = L7.replace('%L6%', () => l6);
  return { sql, params: { ...where.params, ...toolKindParams(), ...inputPriceParams(), minRepeat } };
}
