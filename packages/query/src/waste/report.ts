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
  /** The most expensive partial findings of the sessions with the most possible waste. */
  findings: Finding[];
}

/** Calls no rule could check, because their harness did not send their arguments. */
export interface Unverifiable {
  calls: number;
  sessions: number;
  /** Settings that would make them checkable (e.g. OTEL_LOG_TOOL_DETAILS=1 for Claude Code). */
  hints: string[];
}

/** What the guard (`fulcrum guard`) did in the scope's sessions: shown beside waste, never in it (docs/conventions.md, fulcrum.guard.*). */
export interface Prevented {
  /** Calls the guard denied or stopped. */
  calls: number;
  /** The guard's estimate of what those calls would have cost, USD: an estimate, not a measurement. */
  usd: number;
  /** Calls the guard allowed with a warning to the model. */
  warnings: number;
  /** Sessions with any of the above. */
  sessions: number;
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
  /** Guard interventions: calls prevented and their estimated saving, warnings given. */
  prevented: Prevented;
}

/**
 * Wasted dollars and tokens by category and the worst sessions with their
 * findings, read from the engine's materialised results: categories from each
 * session summary's waste by kind, findings from the worst sessions' verdicts.
 */
type KindSums = [string[], number[], number[], number[], number[]];

/** A sumMap of a waste column (kinds; findings, spans, tokens, $) with its maxMap of Estimated, as categories in WASTE_KINDS order. */
function categoriesOf(sums: KindSums, estimated: [string[], number[]]): WasteCategory[] {
  const [kinds, findings, spans, tokens, costUsd] = sums;
  return WASTE_KINDS.flatMap((kind) => {
    const i = kinds.indexOf(kind);
    if (i < 0) return [];
    const e = estimated[0].indexOf(kind);
    return [{ kind, findings: Number(findings[i]), spans: Number(spans[i]), tokens: Number(tokens[i]), costUsd: Number(costUsd[i]), estimated: e >= 0 && Number(estimated[1][e]) > 0 }];
  });
}

const sumsOf = (column: 'Waste' | 'PartialWaste') =>
  `sumMap(${column}.Kind, ${column}.Findings, ${column}.Spans, ${column}.Tokens, ${column}.CostUsd) AS ${column}Sums, maxMap(${column}.Kind, arrayMap(x -> toUInt8(x), ${column}.Estimated)) AS ${column}Estimated`;

export async function wasteReport(client: Client, scope: QueryScope, options: WasteOptions = {}): Promise<WasteReport> {
  const from = summariesIn(scope);
  // Known and partial waste by kind, and the calls no rule could check, in one pass over the summaries.
  const [totals] = await selectRows<{ WasteSums: KindSums; WasteEstimated: [string[], number[]]; PartialWasteSums: KindSums; PartialWasteEstimated: [string[], number[]]; calls: number; sessions: number; hints: string[];
    preventedCalls: number; preventedUsd: number; guardWarnings: number; guardSessions: number }>(
    client,
    `SELECT ${sumsOf('Waste')}, ${sumsOf('PartialWaste')},
  sum(UnverifiableCalls) AS calls, countIf(UnverifiableCalls > 0) AS sessions, arraySort(groupUniqArrayIf(EvidenceHint, EvidenceHint != '')) AS hints,
  sum(PreventedCalls) AS preventedCalls, sum(PreventedUsd) AS preventedUsd, sum(GuardWarnings) AS guardWarnings, countIf(PreventedCalls + GuardWarnings > 0) AS guardSessions
FROM ${from.sql}`,
    from.params,
  );
  const categories = totals ? categoriesOf(totals.WasteSums, totals.WasteEstimated) : [];
  const partialCategories = totals ? categoriesOf(totals.PartialWasteSums, totals.PartialWasteEstimated) : [];
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
  // The partial findings of the sessions with the most possible waste: a few sessions' verdicts, never every session's.
  const partialFindings = partialCategories.length === 0 ? [] : await selectRows<FindingRow>(
    client,
    `${findingsSql(`SessionId IN (SELECT SessionId FROM ${from.sql} AND PartialWasteSpans > 0 ORDER BY PartialWasteUsd DESC, SessionId LIMIT {worst:UInt32})`, 'partial')}\nORDER BY costUsd DESC, atMs, sessionId LIMIT {worst:UInt32}`,
    { ...from.params, worst: options.worstSessions ?? WASTE_DEFAULTS.worstSessions },
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
    unverifiable: { calls: Number(totals?.calls ?? 0), sessions: Number(totals?.sessions ?? 0), hints: totals?.hints ?? [] },
    prevented: { calls: Number(totals?.preventedCalls ?? 0), usd: Number(totals?.preventedUsd ?? 0), warnings: Number(totals?.guardWarnings ?? 0), sessions: Number(totals?.guardSessions ?? 0) },
  };
}
