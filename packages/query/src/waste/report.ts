import type { QueryScope } from '../scope.js';
import { selectRows, type Client } from '../sql.js';
import { WASTE_DEFAULTS, WASTE_KINDS, type Finding, type WasteKind, type WasteOptions } from './options.js';
import { W, wasteAnchors, wasteMeasures, wastedRowsSql } from './pipeline.js';

export interface WasteCategory {
  kind: WasteKind;
  findings: number;
  spans: number;
  tokens: number;
  costUsd: number;
  /** Some of the tokens were estimated from result sizes. */
  estimated: boolean;
}

export interface WastedSession {
  sessionId: string;
  wasteUsd: number;
  wasteTokens: number;
  findings: Finding[];
}

export interface WasteReport {
  categories: WasteCategory[];
  totalUsd: number;
  totalTokens: number;
  sessionsWithWaste: number;
  worstSessions: WastedSession[];
}

/** A wasted span of a worst session: SpanId, Timestamp (text, sorts in time order), its epoch ms, ToolName, FilePath, Command, kind code, anchors, tokens, dollars, estimated. */
type SpanTuple = [string, string, number, string, string, string, number, string[], number, number, number];

/**
 * Wasted dollars and tokens by category and the worst sessions with their
 * findings, from one execution of the waste pipeline. Each session's wasted
 * spans stay in one array row: category totals are sums over all sessions
 * (sumMap OVER ()), taken before the LIMIT keeps only the worst, and only those
 * few sessions' spans are returned, grouped into findings here as findingsSql
 * groups them (by kind and anchors).
 *
 * Planning is a large part of this query on small scopes; merging its many
 * expression steps (query_plan_merge_expressions) costs ~80 ms of it and gains
 * nothing measurable, so this query turns it off (in a SETTINGS clause, which
 * unlike a client-side setting does not outlive the query in chDB).
 */
export async function wasteReport(client: Client, scope: QueryScope, options: WasteOptions = {}): Promise<WasteReport> {
  const p = wastedRowsSql(scope, options);
  const m = wasteMeasures('w', 's_price');
  const query = `SELECT sessionId, wasteUsd, wasteTokens, totals, findingTotals, sessionsWithWaste,
  arrayMap((w, t, c, e) -> (w.${W.id}, toString(w.${W.ts}), toUnixTimestamp64Milli(w.${W.ts}), w.${W.tool}, w.${W.file}, w.${W.cmd}, w.${W.code}, ${wasteAnchors('w')}, t, c, e), w_rows, toks, costs, ests) AS spans
FROM (
  SELECT sessionId, w_rows, toks, costs, ests, wasteUsd, wasteTokens,
    sumMap(codes, arrayMap(c -> toUInt64(1), codes), toks, costs, ests) OVER () AS totals,
    sumMap(findingCodes, arrayMap(c -> toUInt64(1), findingCodes)) OVER () AS findingTotals,
    count() OVER () AS sessionsWithWaste
  FROM (
    SELECT s_sid AS sessionId, w_rows,
      arrayMap(w -> toUInt64(${m.estimated}), w_rows) AS ests,
      arrayMap(w -> toUInt64(${m.tokens}), w_rows) AS toks,
      arrayMap(w -> toFloat64(${m.cost}), w_rows) AS costs,
      arraySum(costs) AS wasteUsd, arraySum(toks) AS wasteTokens,
      arrayMap(w -> w.${W.code}, w_rows) AS codes,
      arrayMap(f -> f.1, arrayDistinct(arrayMap(w -> (w.${W.code}, ${wasteAnchors('w')}), w_rows))) AS findingCodes
    FROM (${p.sql})
    WHERE notEmpty(w_rows)
  )
  ORDER BY wasteUsd DESC, sessionId
  LIMIT {worst:UInt32}
)
ORDER BY wasteUsd DESC, sessionId
SETTINGS query_plan_merge_expressions = 0`;
  type Totals = [number[], number[], number[], number[], number[]];
  type Row = { sessionId: string; wasteUsd: number; wasteTokens: number; totals: Totals; findingTotals: [number[], number[]]; sessionsWithWaste: number; spans: SpanTuple[] };
  const rows = await selectRows<Row>(client, query, { ...p.params, worst: options.worstSessions ?? WASTE_DEFAULTS.worstSessions });
  const categories: WasteCategory[] = [];
  const first = rows[0];
  if (first) {
    const [codes, spans, tokens, costs, est] = first.totals;
    const [fCodes, fCounts] = first.findingTotals;
    WASTE_KINDS.forEach((kind, k) => {
      const i = codes.map(Number).indexOf(k + 1);
      const f = fCodes.map(Number).indexOf(k + 1);
      if (i >= 0) categories.push({ kind, findings: Number(fCounts[f] ?? 0), spans: Number(spans[i]), tokens: Number(tokens[i]), costUsd: Number(costs[i]), estimated: Number(est[i]) > 0 });
    });
  }
  return {
    categories,
    totalUsd: categories.reduce((s, c) => s + c.costUsd, 0),
    totalTokens: categories.reduce((s, c) => s + c.tokens, 0),
    sessionsWithWaste: Number(first?.sessionsWithWaste ?? 0),
    worstSessions: rows.map((r) => ({ sessionId: r.sessionId, wasteUsd: Number(r.wasteUsd), wasteTokens: Number(r.wasteTokens), findings: sessionFindings(r.sessionId, r.spans) })),
  };
}

/** One session's wasted spans grouped as findingsSql groups them: by kind and anchors, spans in time order, most expensive first. */
function sessionFindings(sessionId: string, spans: SpanTuple[]): Finding[] {
  const sorted = [...spans].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const groups = new Map<string, { f: Finding; atMs: number }>();
  for (const [id, , atMs, toolName, filePath, command, code, anchors, tokens, cost, est] of sorted) {
    const kind = WASTE_KINDS[Number(code) - 1]!;
    const key = `${kind}\u0000${anchors.join('\u0000')}`;
    let g = groups.get(key);
    if (!g) {
      g = { f: { sessionId, kind, anchorSpanIds: anchors, wasteSpanIds: [], tokens: 0, costUsd: 0, estimated: false, toolName, filePath, command, at: new Date(Number(atMs)).toISOString() }, atMs: Number(atMs) };
      groups.set(key, g);
    }
    g.f.wasteSpanIds.push(id);
    g.f.tokens += Number(tokens);
    g.f.costUsd += Number(cost);
    g.f.estimated ||= Number(est) > 0;
  }
  return [...groups.values()].sort((a, b) => b.f.costUsd - a.f.costUsd || a.atMs - b.atMs).map((g) => g.f);
}
