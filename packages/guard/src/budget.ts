import type { GuardConfig } from './config.js';
import type { GuardState } from './state.js';
import type { GroupSpend } from './server-spend.js';

/** Where spend stands against a budget, in the window the report would judge it in. */
export interface BudgetStanding {
  level: 'over' | 'near' | 'under';
  /** Whose budget: the session's, or (with a Fulcrum server) its team's or repository's. */
  scope: 'session' | 'team' | 'repository';
  spendUsd: number;
  budgetUsd: number;
  windowMinutes: number;
  /** The window's start, ms since the epoch (windows are aligned as the engine aligns them). */
  windowStartMs: number;
}

/** The spend window a time falls in: the engine's own alignment (summarise.ts), so the guard and the runaway report agree. */
export const windowStartOf = (ms: number, windowMinutes: number) => Math.floor(ms / (windowMinutes * 60_000)) * windowMinutes * 60_000;

const levelOf = (spend: number, budget: number, warnAt: number): BudgetStanding['level'] => (spend >= budget ? 'over' : spend >= warnAt * budget ? 'near' : 'under');
const RANK = { under: 0, near: 1, over: 2 } as const;

/**
 * The most pressing budget: the session's spend in the current window (its
 * model calls read from the transcript so far) against budgets.sessionUsd,
 * and, when a Fulcrum server reported them, the team's and repository's spend
 * in the current team window against budgets.teamUsd / repositoryUsd.
 * Undefined with no budget set.
 */
export function budgetStanding(state: GuardState, config: GuardConfig, nowMs: number, groups?: GroupSpend): BudgetStanding | undefined {
  const b = config.budget;
  const out: BudgetStanding[] = [];
  if (b.sessionUsd > 0) {
    const windowStartMs = windowStartOf(nowMs, b.windowMinutes);
    const spendUsd = state.model.windows[String(windowStartMs)] ?? 0;
    out.push({ level: levelOf(spendUsd, b.sessionUsd, b.warnAt), scope: 'session', spendUsd, budgetUsd: b.sessionUsd, windowMinutes: b.windowMinutes, windowStartMs });
  }
  const g = groups;
  if (g && g.windowStartMs === windowStartOf(nowMs, b.teamWindowMinutes)) {
    if (b.teamUsd > 0 && g.teamSpendUsd !== undefined) out.push({ level: levelOf(g.teamSpendUsd, b.teamUsd, b.warnAt), scope: 'team', spendUsd: g.teamSpendUsd, budgetUsd: b.teamUsd, windowMinutes: b.teamWindowMinutes, windowStartMs: g.windowStartMs });
    if (b.repositoryUsd > 0 && g.repositorySpendUsd !== undefined) out.push({ level: levelOf(g.repositorySpendUsd, b.repositoryUsd, b.warnAt), scope: 'repository', spendUsd: g.repositorySpendUsd, budgetUsd: b.repositoryUsd, windowMinutes: b.teamWindowMinutes, windowStartMs: g.windowStartMs });
  }
  if (out.length === 0) return undefined;
  return out.reduce((worst, s) => (RANK[s.level] > RANK[worst.level] ? s : worst));
}

/** Estimated $ one prevented call saves: one more model turn (the one that reads its result) at the session's mean cost per model call. */
export function savedPerCall(state: GuardState): number {
  return state.model.calls > 0 ? state.model.spendUsd / state.model.calls : 0;
}
