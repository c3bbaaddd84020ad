import type { Migration } from './migration.js';

/**
 * Frozen: evidence and outcomes (issue "truth"). Never edit.
 * - spans: the issuing model call of a tool call, and git commit / push steps;
 * - span_verdicts: evidence level and the two parts of a wasted call's price;
 * - session_summaries: partial-evidence waste kept apart, unverifiable calls,
 *   lines from the harness's own metrics, commits and pull requests;
 * - harness metrics mark their session pending too (lines and commits arrive as
 *   metrics, often after the session's last span).
 */
export const migration0013: Migration = {
  id: 13,
  name: 'evidence',
  statements: (ctx) => [
    `ALTER TABLE spans
  ADD COLUMN IF NOT EXISTS IssuerSpanId String,
  ADD COLUMN IF NOT EXISTS VcsAction LowCardinality(String)`,
    `ALTER TABLE span_verdicts
  ADD COLUMN IF NOT EXISTS Evidence LowCardinality(String),
  ADD COLUMN IF NOT EXISTS IssuerUsd Float64,
  ADD COLUMN IF NOT EXISTS CarriedUsd Float64`,
    `ALTER TABLE session_summaries
  ADD COLUMN IF NOT EXISTS PartialWasteUsd Float64,
  ADD COLUMN IF NOT EXISTS PartialWasteSpans UInt32,
  ADD COLUMN IF NOT EXISTS PartialWaste Nested (
    Kind LowCardinality(String),
    Findings UInt32,
    Spans UInt32,
    Tokens UInt64,
    CostUsd Float64,
    Estimated Bool
  ),
  ADD COLUMN IF NOT EXISTS UnverifiableCalls UInt32,
  ADD COLUMN IF NOT EXISTS EvidenceHint String,
  ADD COLUMN IF NOT EXISTS LinesSource LowCardinality(String),
  ADD COLUMN IF NOT EXISTS Commits UInt32,
  ADD COLUMN IF NOT EXISTS PullRequests UInt32`,
    ctx.cluster
      ? `CREATE MATERIALIZED VIEW IF NOT EXISTS session_activity_metrics_mv ON CLUSTER ${ctx.cluster} TO session_activity_local AS
SELECT Project, SessionId, now64(3) AS LastIngestAt FROM session_metrics_local GROUP BY Project, SessionId`
      : `CREATE MATERIALIZED VIEW IF NOT EXISTS session_activity_metrics_mv TO session_activity AS
SELECT Project, SessionId, now64(3) AS LastIngestAt FROM session_metrics GROUP BY Project, SessionId`,
  ],
};
