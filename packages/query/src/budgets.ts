import { RUNAWAY_DEFAULTS, type RunawayOptions } from './engine/summarise.js';
import type { QueryScope } from './scope.js';
import { selectRows, type Client } from './sql.js';
import { summariesIn } from './summaries.js';

/**
 * Spend over budget: the one definition every report uses.
 *
 * Each session summary stores its spend per session window (Windows, each
 * `sessionWindowMinutes` long, as analysed). With a budget B > 0:
 * - session: Σ over every session in scope, over each of its windows, of
 *   max(0, window spend − B). A session spending $30 and $10 in two windows
 *   under a $25 budget is $5 over.
 * - team: the session windows are summed per team and team window
 *   (`teamWindowMinutes`, a multiple of the session window); over budget is
 *   Σ over team windows of max(0, team spend in the window − B).
 * - repository: the same per repository, over the same team windows.
 * Sessions without a team (repository) form one group, '' (as in runaways).
 * A budget of 0 is no budget: that level is left out. Computed at read time,
 * so a budget given to a report (flag, API parameter) needs no re-analysis.
 */
export interface BudgetOptions {
  /** $ per session window; 0 = none. @default RUNAWAY_DEFAULTS.sessionBudgetUsd (25) */
  sessionUsd?: number;
  /** $ per team window per team; 0 = none. @default 0 */
  teamUsd?: number;
  /** $ per team window per repository; 0 = none. @default 0 */
  repositoryUsd?: number;
  /** @default RUNAWAY_DEFAULTS.sessionWindowMinutes (60) */
  sessionWindowMinutes?: number;
  /** @default RUNAWAY_DEFAULTS.teamWindowMinutes (1440) */
  teamWindowMinutes?: number;
}

export type BudgetLevel = 'session' | 'team' | 'repository';

/** One budget that applied and how far spend went over it. */
export interface OverBudget {
  level: BudgetLevel;
  /** The budget, $ per window. */
  budgetUsd: number;
  windowMinutes: number;
  /** Σ max(0, window spend − budget). */
  overUsd: number;
  /** Windows over budget. */
  windows: number;
  /** Sessions, teams or repositories with a window over budget. */
  entities: number;
  /** Total spend of those sessions, teams or repositories (all their windows in scope). */
  spendUsd: number;
}

export interface BudgetReport {
  /** The budgets in force (0 = none) and the windows they are per. */
  budgets: Required<BudgetOptions>;
  /** One entry per budget set (> 0), in the order session, team, repository. */
  over: OverBudget[];
  /** Σ overUsd of the session budget: the headline figure beside waste (levels overlap, so they are not added). */
  sessionOverUsd: number;
}

/** The budgets a report uses: the given ones over the analysis defaults. */
export function resolveBudgets(b: BudgetOptions = {}, runaway: RunawayOptions = {}): Required<BudgetOptions> {
  const r = { ...RUNAWAY_DEFAULTS, ...runaway };
  const out = {
    sessionUsd: b.sessionUsd ?? r.sessionBudgetUsd,
    teamUsd: b.teamUsd ?? r.teamBudgetUsd,
    repositoryUsd: b.repositoryUsd ?? 0,
    sessionWindowMinutes: b.sessionWindowMinutes ?? r.sessionWindowMinutes,
    teamWindowMinutes: b.teamWindowMinutes ?? r.teamWindowMinutes,
  };
  for (const k of ['sessionUsd', 'teamUsd', 'repositoryUsd'] as const) {
    if (!Number.isFinite(out[k]) || out[k] < 0) throw new RangeError(`${k} must be a non-negative number, got ${out[k]}`);
  }
  if (out.teamWindowMinutes % out.sessionWindowMinutes !== 0) throw new RangeError('teamWindowMinutes must be a multiple of sessionWindowMinutes');
  return out;
}

const GROUP = { team: 'Team', repository: 'Repository' } as const;

/** Spend over each budget set, for the sessions in scope (project, time, filters as bound parameters). */
export async function overBudget(client: Client, scope: QueryScope, budgets: Required<BudgetOptions>): Promise<BudgetReport> {
  const windows = summariesIn(scope, { arrayJoin: 'Windows' });
  const over: OverBudget[] = [];
  type Row = { overUsd: number; windows: number; entities: number; spendUsd: number };
  const read = async (level: BudgetLevel, budgetUsd: number, windowMinutes: number, perEntity: string, params: Record<string, unknown>) => {
    const [r] = await selectRows<Row>(
      client,
      `SELECT sum(over) AS overUsd, sum(windowsOver) AS windows, countIf(over > 0) AS entities, sumIf(spend, over > 0) AS spendUsd FROM (${perEntity})`,
      { ...params, budget: budgetUsd, teamWindow: windowMinutes },
    );
    over.push({ level, budgetUsd, windowMinutes, overUsd: Number(r?.overUsd ?? 0), windows: Number(r?.windows ?? 0), entities: Number(r?.entities ?? 0), spendUsd: Number(r?.spendUsd ?? 0) });
  };
  if (budgets.sessionUsd > 0) {
    // A session's windows partition its spend: one pass over the summaries, no ARRAY JOIN.
    const from = summariesIn(scope);
    await read('session', budgets.sessionUsd, budgets.sessionWindowMinutes,
      `SELECT arraySum(arrayMap(s -> greatest(0, s - {budget:Float64}), Windows.SpendUsd)) AS over, arrayCount(s -> s > {budget:Float64}, Windows.SpendUsd) AS windowsOver, SpendUsd AS spend FROM ${from.sql}`,
      from.params);
  }
  for (const level of ['team', 'repository'] as const) {
    const budget = level === 'team' ? budgets.teamUsd : budgets.repositoryUsd;
    if (!(budget > 0)) continue;
    await read(level, budget, budgets.teamWindowMinutes,
      `SELECT entity, sum(overUsd) AS over, countIf(overUsd > 0) AS windowsOver, sum(spendUsd) AS spend
FROM (SELECT ${GROUP[level]} AS entity, toStartOfInterval(Windows.Start, toIntervalMinute({teamWindow:UInt32})) AS windowStart,
    sum(Windows.SpendUsd) AS spendUsd, greatest(0, sum(Windows.SpendUsd) - {budget:Float64}) AS overUsd
  FROM ${windows.sql}
  GROUP BY entity, windowStart)
GROUP BY entity`,
      windows.params);
  }
  return { budgets, over, sessionOverUsd: over.find((o) => o.level === 'session')?.overUsd ?? 0 };
}
