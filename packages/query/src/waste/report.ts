import type { QueryScope } from '../scope.js';
import { selectRows, type Client } from '../sql.js';
import { findingsSql, toFinding, type FindingRow } from './findings.js';
import { WASTE_DEFAULTS, WASTE_KINDS, type Finding, type WasteKind, type WasteOptions } from './options.js';
import { wastedSpansSql } from './pipeline.js';

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

type FindingTuple = [WasteKind, string[], string[], number, number, number, string, string, string, number];

/**
 * Wasted dollars and tokens by category and the worst sessions with their
 * findings, from one execution of the waste pipeline: category totals are a
 * window over all sessions (sumMap OVER ()), taken before the LIMIT keeps
 * only the worst.
 */
export async function wasteReport(client: Client, scope: QueryScope, options: WasteOptions = {}): Promise<WasteReport> {
  const p = wastedSpansSql(scope, options);
  const query = `SELECT sessionId, wasteUsd, wasteTokens, findings,
  sumMap(kinds, ones, spanCounts, tokenList, costList, estList) OVER () AS totals, count() OVER () AS sessionsWithWaste
FROM (
  SELECT sessionId, sum(costUsd) AS wasteUsd, sum(tokens) AS wasteTokens,
    arraySort(f -> -f.5, groupArray((kind, anchorSpanIds, wasteSpanIds, tokens, costUsd, estimated, toolName, filePath, command, atMs))) AS findings,
    groupArray(kind) AS kinds, groupArray(toUInt64(1)) AS ones, groupArray(toUInt64(length(wasteSpanIds))) AS spanCounts,
    groupArray(toUInt64(tokens)) AS tokenList, groupArray(toFloat64(costUsd)) AS costList, groupArray(toUInt64(estimated)) AS estList
  FROM (${findingsSql(p.sql)}) GROUP BY sessionId
)
ORDER BY wasteUsd DESC, sessionId
LIMIT {worst:UInt32}`;
  type Row = { sessionId: string; wasteUsd: number; wasteTokens: number; findings: FindingTuple[]; totals: [string[], number[], number[], number[], number[], number[]]; sessionsWithWaste: number };
  const rows = await selectRows<Row>(client, query, { ...p.params, worst: options.worstSessions ?? WASTE_DEFAULTS.worstSessions });
  const categories: WasteCategory[] = [];
  const totals = rows[0]?.totals;
  if (totals) {
    const [kinds, findings, spans, tokens, costs, est] = totals;
    for (const kind of WASTE_KINDS) {
      const i = kinds.indexOf(kind);
      if (i >= 0) categories.push({ kind, findings: Number(findings[i]), spans: Number(spans[i]), tokens: Number(tokens[i]), costUsd: Number(costs[i]), estimated: Number(est[i]) > 0 });
    }
  }
  return {
    categories,
    totalUsd: categories.reduce((s, c) => s + c.costUsd, 0),
    totalTokens: categories.reduce((s, c) => s + c.tokens, 0),
    sessionsWithWaste: Number(rows[0]?.sessionsWithWaste ?? 0),
    worstSessions: rows.map((r) => ({
      sessionId: r.sessionId,
      wasteUsd: Number(r.wasteUsd),
      wasteTokens: Number(r.wasteTokens),
      findings: r.findings.map((t) => toFinding(tupleRow(r.sessionId, t))),
    })),
  };
}

function tupleRow(sessionId: string, t: FindingTuple): FindingRow {
  const [kind, anchorSpanIds, wasteSpanIds, tokens, costUsd, estimated, toolName, filePath, command, atMs] = t;
  return { sessionId, kind, anchorSpanIds, wasteSpanIds, tokens, costUsd, estimated, toolName, filePath, command, atMs };
}
