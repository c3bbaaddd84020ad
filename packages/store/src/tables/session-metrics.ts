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
export const SESSION_METRICS_TABLE = 'session_metrics';

export function sessionMetricsTableDdl(table = SESSION_METRICS_TABLE, engine = 'ReplacingMergeTree(Version)'): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  Project LowCardinality(String),
  SessionId String,
  Activity LowCardinality(String),
  SeriesKey String,
  StartTime DateTime64(9),
  Time DateTime64(9),
  Value Float64,
  MetricName LowCardinality(String),
  Unit LowCardinality(String),
  Temporality LowCardinality(String),
  Harness LowCardinality(String),
  Team LowCardinality(String),
  UserId String,
  Model LowCardinality(String),
  Attributes Map(LowCardinality(String), String),
  Version UInt64
) ENGINE = ${engine}
PARTITION BY toYYYYMM(Time)
ORDER BY (Project, SessionId, Activity, SeriesKey, StartTime)`;
}

export const SESSION_METRIC_COLUMNS = [
  'Project', 'SessionId', 'Activity', 'SeriesKey', 'StartTime', 'Time', 'Value', 'MetricName', 'Unit',
  'Temporality', 'Harness', 'Team', 'UserId', 'Model', 'Attributes', 'Version',
] as const;
