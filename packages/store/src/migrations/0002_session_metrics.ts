import type { Migration } from './migration.js';

/** Frozen: harness counters per session, as first released. Never edit; change the schema in a new migration. */
export const migration0002: Migration = {
  id: 2,
  name: 'session_metrics',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS session_metrics (
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
) ENGINE = ReplacingMergeTree(Version)
PARTITION BY toYYYYMM(Time)
ORDER BY (Project, SessionId, Activity, SeriesKey, StartTime)`,
  ],
};
