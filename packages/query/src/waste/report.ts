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

/** Waste asserted on partial evidence (sizes, outcomes and order; the arguments unknown): listed apart, never in the totals. */
export interface PartialWaste {
  categories: WasteCategory[];
  totalUsd: number;
  /** The most expensive partial findings. */
  findings: Finding[];
}

/** Calls no rule could check, because their harness did not send their arguments. */
export interface Unverifiable {
  calls: number;
  sessions: number;
  /** Settings that would make them checkable (e.g. OTEL_LOG_TOOL_DETAILS=1 for Claude Code). */
  hints: string[];
}

export interface WasteReport {
  /** Waste on known evidence: the headline. */
  categories: WasteCategory[];
  totalUsd: number;
  totalTokens: number;
  sessionsWithWaste: number;
  worstSessions: WastedSession[];
  partial: PartialWaste;
  unverifiable: Unverifiable;
}

/**
 * Wasted dollars and tokens by category and the worst sessions with their
 * findings, read from the engine's materialised results: categories from each
 * session summary's waste by kind, findings from the worst sessions' verdicts.
 */
async function categoriesOf(client: Client, scope: QueryScope, column: 'Waste' | 'PartialWaste'): Promise<WasteCategory[]> {
  const waste = summariesIn(scope, { arrayJoin: column });
  const rows = await selectRows<Omit<WasteCategory, 'estimated'> & { estimated: number }>(
    client,
    `SELECT ${column}.Kind AS kind, sum(${column}.Findings) AS findings, sum(${column}.Spans) AS spans, sum(${column}.Tokens) AS tokens, sum(${column}.CostUsd) AS costUsd, max(${column}.Estimated) AS estimated
FROM ${waste.sql}
GROUP BY kind`,
    waste.params,
  );
  return WASTE_KINDS.flatMap((kind) => {
    const r = rows.find((c) => c.kind === kind);
    return r ? [{ kind, findings: Number(r.findings), spans: Number(r.spans), tokens: Number(r.tokens), costUsd: Number(r.costUsd), estimated: Boolean(Number(r.estimated)) }] : [];
  });
}

export async function wasteReport(client: Client, scope: QueryScope, options: WasteOptions = {}): Promise<WasteReport> {
  const from = summariesIn(scope);
  const categories = await categoriesOf(client, scope, 'Waste');
  const partialCategories = await categoriesOf(client, scope, 'PartialWaste');
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
    `${findingsSql('SessionId IN {ids:Array(String)}', 'known')}\nORDER BY costUsd DESC, atMs`,
    { project: scope.project, ids: worst.map((w) => w.sessionId) },
  );
  const partialFindings = partialCategories.length === 0 ? [] : await selectRows<FindingRow>(
    client,
    `${findingsSql(`SessionId IN (SELECT SessionId FROM ${from.sql} AND PartialWasteSpans > 0)`, 'partial')}\nORDER BY costUsd DESC, atMs, sessionId LIMIT {worst:UInt32}`,
    { ...from.params, worst: options.worstSessions ?? WASTE_DEFAULTS.worstSessions },
  );
  const [unverifiable] = await selectRows<{ calls: number; sessions: number; hints: string[] }>(
    client,
    `SELECT sum(UnverifiableCalls) AS calls, countIf(UnverifiableCalls > 0) AS sessions, arraySort(groupUniqArrayIf(EvidenceHint, EvidenceHint != '')) AS hints FROM ${from.sql}`,
    from.params,
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
    partial: { categories: partialCategories, totalUsd: partialCategories.reduce((s, c) => s + c.costUsd, 0), findings: partialFindings.map(toFinding) },
    unverifiable: { calls: Number(unverifiable?.calls ?? 0), sessions: Number(unverifiable?.sessions ?? 0), hints: unverifiable?.hints ?? [] },
  };
}
