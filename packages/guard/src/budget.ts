import type { GuardConfig } from './config.js';
import type { GuardState } from './state.js';

/** Where the session's spend stands against its budget, in the window the report would judge it in. */
export interface BudgetStanding {
  level: 'over' | 'near' | 'under';
  spendUsd: number;
  budgetUsd: number;
  windowMinutes: number;
  /** The window's start, ms since the epoch (windows are aligned as the engine aligns them). */
  windowStartMs: number;
}

/** The spend window a time falls in: the engine's own alignment (summarise.ts), so the guard and the runaway report agree. */
export const windowStartOf = (ms: number, windowMinutes: number) => Math.floor(ms / (windowMinutes * 60_000)) * windowMinutes * 60_000;

/**
 * The session's spend in the current window (its model calls read from the
 * transcript so far) against budgets.sessionUsd. Undefined with no budget.
 */
export function budgetStanding(state: GuardState, config: GuardConfig, nowMs: number): BudgetStanding | undefined {
  const { sessionUsd, windowMinutes, warnAt } = config.budget;
  if (!(sessionUsd > 0)) return undefined;
  const windowStartMs = windowStartOf(nowMs, windowMinutes);
  const spendUsd = state.model.windows[String(windowStartMs)] ?? 0;
  const level = spendUsd >= sessionUsd ? 'over' : spendUsd >= warnAt * sessionUsd ? 'near' : 'under';
  return { level, spendUsd, budgetUsd: sessionUsd, windowMinutes, windowStartMs };
}

/** Estimated $ one prevented call saves: one more model turn (the one that reads its result) at the session's mean cost per model call. */
export function savedPerCall(state: GuardState): number {
  return state.model.calls > 0 ? state.model.spendUsd / state.model.calls : 0;
}
