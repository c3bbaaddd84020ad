import { overBudget, resolveBudgets, type BudgetOptions, type BudgetReport } from './budgets.js';
import { leverageByGroup, type GroupDimension, type GroupLeverage } from './leverage/by-group.js';
import type { WeightOverrides, Weights } from './leverage/weights.js';
import type { RunawayOptions } from './engine/summarise.js';
import { findRunaways, type RunawaySignal } from './runaway.js';
import type { QueryScope } from './scope.js';
import type { Client } from './sql.js';
import type { WasteOptions } from './waste/options.js';
import { wasteReport, type WasteReport } from './waste/report.js';
import { outcomesByGroup, type OutcomeFigures } from './outcomes/figures.js';

export interface ReportOptions extends WasteOptions {
  /** Leverage weight overrides, by number or by rating. @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
  /** Dimension of the per-group breakdown. @default 'team' */
  by?: GroupDimension;
  /** Team budgets and spike detection (session windows were judged at analysis). @default RUNAWAY_DEFAULTS */
  runaway?: RunawayOptions;
  /** Budgets spend over budget is measured against (see budgets.ts); unset ones come from `runaway`. */
  budgets?: BudgetOptions;
  /** Fewest people the outcomes total may cover before it is withheld (privacy.minGroupSize). @default DEFAULT_MIN_GROUP_SIZE (5) */
  minGroupSize?: number;
}

/** Everything `fulcrum report` and GET /api/reports/waste show: one JSON shape for CLI and API. */
export interface Report {
  scope: { project: string; since?: string; until?: string; team?: string; repository?: string; harness?: string; useCase?: string };
  generatedAt: string;
  by: GroupDimension;
  weights: Weights;
  total: GroupLeverage;
  groups: GroupLeverage[];
  waste: WasteReport;
  runaways: RunawaySignal[];
  /** Spend over the session, team and repository budgets that applied. */
  budgets: BudgetReport;
  /** What landed in the scope (`fulcrum git sync`); available once a synced repository holds the scope's sessions. */
  outcomes: { available: boolean; total: OutcomeFigures };
}

export async function buildReport(client: Client, scope: QueryScope, options: ReportOptions = {}): Promise<Report> {
  const by = options.by ?? 'team';
  // Sequential: an embedded store runs one query at a time anyway, and a server should not get a burst per report.
  const lev = await leverageByGroup(client, scope, { ...options, by });
  const waste = await wasteReport(client, scope, options);
  const runaways = await findRunaways(client, scope, options.runaway);
  const budgets = await overBudget(client, scope, resolveBudgets(options.budgets, options.runaway));
  const outcomes = await outcomesByGroup(client, scope, { by: 'all', weights: options.weights, minGroupSize: options.minGroupSize });
  return {
    scope: describeScope(scope),
    generatedAt: new Date().toISOString(),
    by,
    weights: lev.weights,
    total: lev.total,
    groups: lev.groups,
    waste,
    runaways,
    budgets,
    outcomes: { available: outcomes.outcomesAvailable, total: outcomes.total },
  };
}

export function describeScope(s: QueryScope): Report['scope'] {
  const out: Report['scope'] = { project: s.project };
  if (s.since) out.since = s.since.toISOString();
  if (s.until) out.until = s.until.toISOString();
  for (const k of ['team', 'repository', 'harness', 'useCase'] as const) if (s[k]) out[k] = s[k];
  return out;
}
