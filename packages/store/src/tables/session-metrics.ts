import type { ClickHouseClient } from '@clickhouse/client';
import { t } from '../schema/column-types.js';
import { col, defineTable, type RowOf } from '../schema/table.js';
import { UNLIMITED_INSERT_SETTINGS } from '../insert-settings.js';

/**
 * session_metrics: harness counters (lines of code, commits, pull requests,
 * tokens, cost, ...) per session, one row per OTLP data point.
 *
 * One engine serves both temporalities, because the key ends in the point's
 * StartTime and the version is its Time:
 * - delta points of one series have distinct StartTimes (each window starts
 *   where the last ended), so they all survive and SUM adds them up; a retried
 *   export repeats the same (series, StartTime) and collapses to one row.
 * - cumulative points of one series share their StartTime, so only the latest
 *   (highest Time) survives and SUM reads the running total once; a process
 *   restart starts a new series (new StartTime) whose total adds to the last.
 * - gauges behave like cumulative points: the latest value wins.
 * Read with FINAL (or argMax by Version) so unmerged parts never double count.
 */
export const SESSION_METRICS = defineTable({
  name: 'session_metrics',
  columns: {
    Project: col(t.lowString),
    SessionId: col(t.string),
    /** An Activity name, or the raw metric name when it maps to none. */
    Activity: col(t.lowString),
    /** Identifies the series: metric name plus its non-session attributes. */
    SeriesKey: col(t.string),
    StartTime: col(t.nanos),
    Time: col(t.nanos),
    Value: col(t.float64),
    MetricName: col(t.lowString),
    Unit: col(t.lowString),
    /** delta | cumulative | gauge */
    Temporality: col(t.lowString),
    Harness: col(t.lowString),
    Team: col(t.lowString),
    UserId: col(t.string),
    Model: col(t.lowString),
    Attributes: col(t.attrs),
    /** The point's Time in nanoseconds: the latest cumulative value wins. */
    Version: col(t.uint64String),
  },
  engine: 'ReplacingMergeTree(Version)',
  partitionBy: 'toYYYYMM(Time)',
  orderBy: '(Project, SessionId, Activity, SeriesKey, StartTime)',
});

/** One data point of a per-session counter. Field names match the columns. */
export type SessionMetricRow = RowOf<typeof SESSION_METRICS.columns>;

export const SESSION_METRICS_TABLE = SESSION_METRICS.name;
export const SESSION_METRIC_COLUMNS = SESSION_METRICS.insertColumns;

export function sessionMetricsTableDdl(table = SESSION_METRICS_TABLE, engine?: string): string {
  return SESSION_METRICS.createSql(table, engine);
}

/**
 * Names of the activity counters the leverage score reads; any other metric
 * is kept under its OTLP name.
 */
export type Activity =
  | 'lines_added' | 'lines_removed' | 'commits' | 'pull_requests' | 'tool_calls' | 'sessions' | 'active_seconds'
  | 'tokens_input' | 'tokens_output' | 'tokens_cache_read' | 'tokens_cache_write' | 'tokens_reasoning' | 'cost_usd';

export async function insertSessionMetricRows(client: ClickHouseClient, rows: readonly SessionMetricRow[], table = SESSION_METRICS_TABLE): Promise<void> {
  if (rows.length === 0) return;
  await client.insert({
    table,
    columns: SESSION_METRICS.insertColumns as [string, ...string[]],
    values: rows.map(SESSION_METRICS.encodeJson),
    format: 'JSONCompactEachRow',
    clickhouse_settings: UNLIMITED_INSERT_SETTINGS,
  });
}

/**
 * Per-session activity totals, FINAL so each delta window and each cumulative
 * series counts once. Union it with span-derived counts in reports.
 */
export function sessionActivitySql(table = SESSION_METRICS_TABLE): string {
  return `SELECT Project, SessionId, Activity, sum(Value) AS Value
FROM ${table} FINAL
WHERE Project = {project:String}
GROUP BY Project, SessionId, Activity`;
}
