import type { ClickHouseClient } from '@clickhouse/client';
import { nanosToDateTime64 } from './encode.js';
import { SESSION_METRICS_TABLE, SESSION_METRIC_COLUMNS } from './session-metrics.js';

/**
 * Names of the activity counters the leverage score reads; any other metric
 * is kept under its OTLP name.
 */
export type Activity =
  | 'lines_added' | 'lines_removed' | 'commits' | 'pull_requests' | 'tool_calls' | 'sessions' | 'active_seconds'
  | 'tokens_input' | 'tokens_output' | 'tokens_cache_read' | 'tokens_cache_write' | 'tokens_reasoning' | 'cost_usd';

/** One data point of a per-session counter. Field names match the columns. */
export interface SessionMetricRow {
  Project: string;
  SessionId: string;
  /** An Activity name, or the raw metric name when it maps to none. */
  Activity: string;
  /** Identifies the series: metric name plus its non-session attributes. */
  SeriesKey: string;
  /** Nanoseconds since the epoch, decimal string. */
  StartTime: string;
  Time: string;
  Value: number;
  MetricName: string;
  Unit: string;
  /** delta | cumulative | gauge */
  Temporality: string;
  Harness: string;
  Team: string;
  UserId: string;
  Model: string;
  Attributes: Record<string, string>;
  /** The point's Time in nanoseconds: the latest cumulative value wins. */
  Version: string;
}

export async function insertSessionMetricRows(client: ClickHouseClient, rows: readonly SessionMetricRow[], table = SESSION_METRICS_TABLE): Promise<void> {
  if (rows.length === 0) return;
  await client.insert({
    table,
    columns: SESSION_METRIC_COLUMNS as unknown as [string, ...string[]],
    values: rows.map((r) => [
      r.Project, r.SessionId, r.Activity, r.SeriesKey, nanosToDateTime64(r.StartTime), nanosToDateTime64(r.Time), r.Value,
      r.MetricName, r.Unit, r.Temporality, r.Harness, r.Team, r.UserId, r.Model, r.Attributes, r.Version,
    ]),
    format: 'JSONCompactEachRow',
    // Points spanning many months must not fail the whole INSERT (see INSERT_SETTINGS in store.ts).
    clickhouse_settings: { max_partitions_per_insert_block: '0' },
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
