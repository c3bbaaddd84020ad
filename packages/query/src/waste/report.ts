import { WASTE_KINDS } from '../engine/classify.js';
import type { WasteByKind } from '../engine/summarise.js';
import type { QueryScope } from '../scope.js';
import { selectRows, type Client } from '../sql.js';
import { summariesIn } from '../summaries.js';
import { findingsSql, toFinding, type FindingRow } from './findings.js';
import { WASTE_DEFAULTS, type Finding, type WasteOptions } from './options.js';

/** A waste kind's total over the sessions in scope: the sum of their summaries' waste by kind. */
export type WasteCategory = WasteByKind;

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

/**
 * Wasted dollars and tokens by category and the worst sessions with their
 * findings, read from the engine's materialised results: categories from each
 * session summary's waste by kind, findings from the worst sessions' verdicts.
 */
export async function wasteReport(client: Client, scope: QueryScope, options: WasteOptions = {}): Promise<WasteReport> {
  const from = summariesIn(scope);
  const waste = summariesIn(scope, { arrayJoin: 'Waste' });
  const categoryRows = await selectRows<Omit<WasteCategory, 'estimated'> & { estimated: number }>(
    client,
    `SELECT Waste.Kind AS kind, sum(Waste.Findings) AS findings, sum(Waste.Spans) AS spans, sum(Waste.Tokens) AS tokens, sum(Waste.CostUsd) AS costUsd, max(Waste.Estimated) AS estimated
FROM ${waste.sql}
GROUP BY kind`,
    waste.params,
  );
  const categories = WASTE_KINDS.flatMap((kind) => {
    const r = categoryRows.find((c) => c.kind === kind);
    return r ? [{ kind, findings: Number(r.findings), spans: Number(r.spans), tokens: Number(r.tokens), costUsd: Number(r.costUsd), estimated: Boolean(Number(r.estimated)) }] : [];
  });
  const worst = await selectRows<{ sessionId: string; wasteUsd: number; wasteTokens: number; sessionsWithWaste: number }>(
    client,
    `SELECT SessionId AS sessionId, WasteUsd AS wasteUsd, WasteTokens AS wasteTokens, count() OVER () AS sessionsWithWaste
FROM ${from.sql} AND WasteSpans > 0
ORDER BY WasteUsd DESC, SessionId
LIMIT {worst:UInt32}`,
    { ...from.params, worst: options.worstSessions ?? WASTE_DEFAULTS.worstSessions },
  );
  const findings = worst.length === 0 ? [] : await selectRows<FindingRow>(
    client,
    `${findingsSql('SessionId IN {ids:Array(String)}')}\nORDER BY costUsd DESC, atMs`,
    { project: scope.project, ids: worst.map((w) => w.sessionId) },
  );
  return {
    categories,
    totalUsd: categories.reduce((s, c) => s + c.costUsd, 0),
    totalTokens: categories.reduce((s, c) => s + c.tokens, 0),
    sessionsWithWaste: Number(worst[0]?.sessionsWithWaste ?? 0),
    worstSessions: worst.map((w) => ({
      sessionId: w.sessionId,
      wasteUsd: Number(w.wasteUsd),
      wasteTokens: Number(w.wasteTokens),
      findings: findings.filter((f) => f.sessionId === w.sessionId).map(toFinding),
    })),
  };
}
