import type { QueryScope } from '../scope.js';
import { selectRows, type Client } from '../sql.js';
import { summariesIn, WEIGHTED_ACTIVITY_SQL } from '../summaries.js';
import { resolveWeights, weightParams, type Weights, type WeightOverrides } from './weights.js';

/** What leverage can be grouped by. `user` requires the scope's `individual` opt-in. */
export const GROUP_DIMENSIONS = { team: 'Team', repository: 'Repository', harness: 'Harness', useCase: 'UseCase', user: 'UserId' } as const;
export type GroupDimension = keyof typeof GROUP_DIMENSIONS;

export interface GroupLeverage {
  /** The group's value; '' for sessions without one. */
  key: string;
  sessions: number;
  spendUsd: number;
  /** Model calls to models the price table does not know: their cost is not in spendUsd. */
  unpricedCalls: number;
  tokens: number;
  linesAdded: number;
  linesRemoved: number;
  refactors: number;
  skills: number;
  mcp: number;
  /** Σ(activity × weight) / Σ spend over the group's sessions (not a mean of ratios). */
  leverage: number | null;
  wasteUsd: number;
  wasteTokens: number;
}

export interface LeverageResult {
  by: GroupDimension | 'all';
  weights: Weights;
  total: GroupLeverage;
  groups: GroupLeverage[];
}

export interface LeverageOptions {
  /** Dimension to group by. @default 'team' */
  by?: GroupDimension | 'all';
  /** Leverage weight overrides, by number or by rating. @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
}

/** Leverage for the scope in total and per group, in one query (GROUPING SETS) over the session summaries. */
export async function leverageByGroup(client: Client, scope: QueryScope, options: LeverageOptions = {}): Promise<LeverageResult> {
  const by = options.by ?? 'team';
  if (by === 'user' && !scope.individual) throw new RangeError('grouping by user is an individual view: opt in with individual=true');
  if (by !== 'all' && !GROUP_DIMENSIONS[by]) throw new RangeError(`by must be one of all, ${Object.keys(GROUP_DIMENSIONS).join(', ')}`);
  const column = by === 'all' ? '' : GROUP_DIMENSIONS[by];
  const weights = resolveWeights(options.weights);
  const from = summariesIn(scope);
  // The total alone needs no grouping: GROUPING SETS over a constant key is refused by ClickHouse.
  const grouping = by === 'all' ? { key: "'' AS key, 1 AS isTotal", tail: '' } : { key: `${column} AS key, grouping(key) AS isTotal`, tail: '\nGROUP BY GROUPING SETS ((key), ())\nORDER BY isTotal DESC, spendUsd DESC, key' };
  const sql = `SELECT ${grouping.key}, count() AS sessions, sum(SpendUsd) AS spendUsd, sum(UnpricedCalls) AS unpricedCalls, sum(Tokens) AS tokens,
  sum(LinesAdded) AS linesAdded, sum(LinesRemoved) AS linesRemoved, sum(Refactors) AS refactors, sum(Skills) AS skills, sum(Mcp) AS mcp,
  if(spendUsd > 0, sum(${WEIGHTED_ACTIVITY_SQL}) / spendUsd, NULL) AS leverage, sum(WasteUsd) AS wasteUsd, sum(WasteTokens) AS wasteTokens
FROM ${from.sql}${grouping.tail}`;
  const rows = await selectRows<GroupLeverage & { isTotal: number }>(client, sql, { ...from.params, ...weightParams(weights) });
  const clean = ({ isTotal: _t, ...g }: GroupLeverage & { isTotal: number }): GroupLeverage => g;
  const totalRow = rows.find((r) => Number(r.isTotal) === 1);
  const empty: GroupLeverage = { key: '', sessions: 0, spendUsd: 0, unpricedCalls: 0, tokens: 0, linesAdded: 0, linesRemoved: 0, refactors: 0, skills: 0, mcp: 0, leverage: null, wasteUsd: 0, wasteTokens: 0 };
  const total = totalRow ? { ...clean(totalRow), key: '' } : empty;
  const groups = by === 'all' ? [] : rows.filter((r) => Number(r.isTotal) !== 1).map(clean);
  return { by, weights, total, groups };
}
