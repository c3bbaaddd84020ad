import { scopeWhere, type BoundSql, type QueryScope } from './scope.js';

/**
 * The materialised sessions in scope, as a FROM clause: the engine's
 * per-session summaries (latest analysis of each, FINAL), bounded by when the
 * session started. Every reader of sessions, leverage and waste starts here.
 */
export function summariesIn(scope: QueryScope, options: { arrayJoin?: 'Waste' | 'PartialWaste' | 'Windows' | 'Runaways' } = {}): BoundSql {
  const where = scopeWhere(scope, 'Start');
  const join = options.arrayJoin ? ` ARRAY JOIN ${options.arrayJoin}` : '';
  return { sql: `session_summaries FINAL${join} WHERE ${where.sql}`, params: where.params };
}

/** Σ(activity × weight) of a summary row (or of sums named like its columns), weights bound as parameters. */
export const WEIGHTED_ACTIVITY_SQL = `(LinesAdded * {wLinesAdded:Float64} + LinesRemoved * {wLinesRemoved:Float64}
  + Refactors * {wRefactors:Float64} + Skills * {wSkills:Float64} + Mcp * {wMcp:Float64})`;
