import { createHash } from 'node:crypto';
import { DEFAULT_PRICES, type PriceTable } from '@fulcrum/vocab';
import { RUNAWAY_DEFAULTS, type RunawayOptions } from './summarise.js';

/** What a session's classification depends on: a change here needs `fulcrum reanalyse`. */
export interface AnalysisConfig {
  /** Identical consecutive calls that make a loop. @default 3 */
  minRepeat: number;
  /** Budgets and spike detection. @default RUNAWAY_DEFAULTS */
  runaway: Required<RunawayOptions>;
  /** Prices of later requests, for what carrying a wasted result costs. @default DEFAULT_PRICES */
  prices?: PriceTable;
}

export const ANALYSIS_DEFAULTS: AnalysisConfig = { minRepeat: 3, runaway: RUNAWAY_DEFAULTS, prices: DEFAULT_PRICES };

export function resolveAnalysisConfig(c: { minRepeat?: number; runaway?: RunawayOptions; prices?: PriceTable } = {}): AnalysisConfig {
  const config = { minRepeat: c.minRepeat ?? ANALYSIS_DEFAULTS.minRepeat, runaway: { ...RUNAWAY_DEFAULTS, ...c.runaway }, prices: c.prices ?? DEFAULT_PRICES };
  if (!Number.isInteger(config.minRepeat) || config.minRepeat < 2) throw new RangeError(`minRepeat must be an integer >= 2, got ${config.minRepeat}`);
  if (config.runaway.teamWindowMinutes % config.runaway.sessionWindowMinutes !== 0) throw new RangeError('teamWindowMinutes must be a multiple of sessionWindowMinutes');
  return config;
}

/**
 * The classifier's rules version: bump it when a rule changes, and every
 * session analysed under the old rules is analysed again.
 */
export const ENGINE_VERSION = 5;

/**
 * Stored with each summary. A session whose summary was computed under
 * another hash (other settings, or older rules) is pending again, so a
 * restart with a changed config re-analyses what it changes.
 */
export function configHash(c: AnalysisConfig): string {
  const r = c.runaway;
  // The default table is named, not listed, so a release that updates list prices does not re-analyse every session.
  const prices = c.prices === undefined || c.prices === DEFAULT_PRICES ? 'default' : Object.entries(c.prices).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify([ENGINE_VERSION, c.minRepeat, r.sessionWindowMinutes, r.teamWindowMinutes, r.sessionBudgetUsd, r.sessionCallBudget, r.teamBudgetUsd, r.spikeMultiple, r.history, r.minHistory, prices]);
  return createHash('sha1').update(canonical).digest('hex').slice(0, 16);
}
