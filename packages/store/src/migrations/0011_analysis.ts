import type { Migration } from './migration.js';

/**
 * Frozen: what the engine materialises (session_summaries, span_verdicts) and
 * which sessions have new spans (session_activity, filled by a materialized
 * view on every INSERT into spans, so ingest, spool replays and imports all
 * mark their sessions without knowing about analysis). Never edit.
 *
 * On a cluster the view reads and writes the local tables: spans and
 * session_activity shard alike (by session), so each shard marks its own sessions.
 */
export const migration0011: Migration = {
  id: 11,
  name: 'analysis',
  statements: (ctx) => [
    `CREATE TABLE IF NOT EXISTS session_activity (
  Project LowCardinality(String),
  SessionId String,
  LastIngestAt DateTime64(3)
) ENGINE = ReplacingMergeTree(LastIngestAt)
ORDER BY (Project, SessionId)`,
    `CREATE TABLE IF NOT EXISTS session_summaries (
  Project LowCardinality(String),
  SessionId String,
  Start DateTime64(9),
  End DateTime64(9),
  Team LowCardinality(String),
  Repository LowCardinality(String),
  Harness LowCardinality(String),
  UseCase LowCardinality(String),
  UserId String,
  SpendUsd Float64,
  UnpricedCalls UInt32,
  InputTokens UInt64,
  OutputTokens UInt64,
  CacheReadTokens UInt64,
  CacheWriteTokens UInt64,
  Tokens UInt64,
  ModelCalls UInt32,
  ToolCalls UInt32,
  Failures UInt32,
  Spans UInt32,
  LinesAdded UInt32,
  LinesRemoved UInt32,
  Refactors UInt32,
  Skills UInt32,
  Mcp UInt32,
  WasteUsd Float64,
  WasteTokens UInt64,
  WasteSpans UInt32,
  Waste Nested (
    Kind LowCardinality(String),
    Findings UInt32,
    Spans UInt32,
    Tokens UInt64,
    CostUsd Float64,
    Estimated Bool
  ),
  Windows Nested (
    Start DateTime64(3),
    SpendUsd Float64,
    Calls UInt32
  ),
  Runaways Nested (
    Start DateTime64(3),
    SpendUsd Float64,
    Calls UInt32,
    History UInt32,
    MedianSpendUsd Float64,
    MedianCalls Float64,
    Reasons String
  ),
  AnalysedIngestAt DateTime64(3),
  AnalysedAt DateTime64(3),
  ConfigHash String,
  Revision UInt64
) ENGINE = ReplacingMergeTree(Revision)
ORDER BY (Project, SessionId)`,
    `CREATE TABLE IF NOT EXISTS span_verdicts (
  Project LowCardinality(String),
  SessionId String,
  SpanId String,
  Timestamp DateTime64(9),
  Kind LowCardinality(String),
  FindingId String,
  AnchorSpanIds Array(String),
  Tokens UInt64,
  CostUsd Float64,
  Estimated Bool,
  ToolName LowCardinality(String),
  FilePath String,
  Command String,
  Revision UInt64
) ENGINE = ReplacingMergeTree(Revision)
ORDER BY (Project, SessionId, SpanId)
SETTINGS index_granularity = 1024`,
    ctx.cluster
      ? `CREATE MATERIALIZED VIEW IF NOT EXISTS session_activity_mv ON CLUSTER ${ctx.cluster} TO session_activity_local AS
SELECT Project, SessionId, now64(3) AS LastIngestAt FROM spans_local GROUP BY Project, SessionId`
      : `CREATE MATERIALIZED VIEW IF NOT EXISTS session_activity_mv TO session_activity AS
SELECT Project, SessionId, now64(3) AS LastIngestAt FROM spans GROUP BY Project, SessionId`,
    // Sessions stored before this release are pending too, so none is left unanalysed.
    `INSERT INTO session_activity SELECT Project, SessionId, now64(3) AS LastIngestAt FROM spans GROUP BY Project, SessionId`,
  ],
};
