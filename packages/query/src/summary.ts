import { activitySql, SPAN_ACTIVITY, WEIGHTED_ACTIVITY_SQL, weightParams, type ActivitySource } from './leverage/activity.js';
import { resolveWeights, type WeightOverrides } from './leverage/weights.js';
import { scopeWhere, type BoundSql, type QueryScope } from './scope.js';
import { wastedSpansSql } from './waste/pipeline.js';
import type { WasteOptions } from './waste/options.js';

export interface SummaryOptions extends WasteOptions {
  /** Leverage weight overrides, by number or by rating. @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
  /** Activity sources summed per session. @default [SPAN_ACTIVITY] */
  activitySources?: readonly ActivitySource[];
  /** Join each session's waste (costs one more pass over the spans). @default true */
  waste?: boolean;
}

/**
 * One row per session in scope: its dimensions, spend, tokens, calls,
 * failures, weighted activity, leverage and waste. Lists, leverage
 * aggregates and reports all read sessions through this.
 */
export function sessionSummarySql(scope: QueryScope, options: SummaryOptions = {}): BoundSql {
  const where = scopeWhere(scope);
  const weights = resolveWeights(options.weights);
  const withWaste = options.waste !== false;
  const waste = withWaste ? wastedSpansSql(scope, options) : undefined;
  const sql = `SELECT *, ${WEIGHTED_ACTIVITY_SQL} AS Weighted, if(Spend > 0, Weighted / Spend, NULL) AS Leverage
  ${withWaste ? '' : ', 0 AS WasteUsd, 0 AS WasteTokens'}
FROM (
  SELECT SessionId, min(Timestamp) AS Start, max(Timestamp + toIntervalNanosecond(Duration)) AS End,
    anyIf(Team, Team != '') AS Team, anyIf(Repository, Repository != '') AS Repository,
    anyIf(Harness, Harness != '') AS Harness, anyIf(UseCase, UseCase != '') AS UseCase, anyIf(UserId, UserId != '') AS UserId,
    sum(CostUsd) AS Spend, sum(InputTokens + OutputTokens + CacheReadTokens + CacheWriteTokens) AS Tokens,
    countIf(SpanType = 'llm') AS ModelCalls, countIf(SpanType IN ('tool', 'mcp')) AS ToolCalls,
    countIf(NOT Success AND SpanType IN ('llm', 'tool', 'mcp')) AS Failures, count() AS Spans
  FROM spans FINAL WHERE ${where.sql} GROUP BY SessionId
) AS s
LEFT JOIN (${activitySql(where.sql, options.activitySources ?? [SPAN_ACTIVITY])}) AS a USING (SessionId)
${withWaste ? `LEFT JOIN (SELECT SessionId, sum(WasteCost) AS WasteUsd, sum(WasteTokens) AS WasteTokens FROM (${waste!.sql}) GROUP BY SessionId) AS w USING (SessionId)` : ''}`;
  return { sql, params: { ...where.params, ...(waste?.params ?? {}), ...weightParams(weights) } };
}
