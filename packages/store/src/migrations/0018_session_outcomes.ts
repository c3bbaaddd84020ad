import type { Migration } from './migration.js';

/**
 * Frozen: per-session outcomes, materialised after each link and survival run
 * (issue "outcomes"), so reports and dashboards read them with short SQL. Never edit.
 */
export const migration0018: Migration = {
  id: 18,
  name: 'session_outcomes',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS session_outcomes (
  Project LowCardinality(String),
  Repository LowCardinality(String),
  Branch LowCardinality(String),
  SessionId String,
  Commits Array(String),
  PullRequests Array(String),
  Reverted Array(String),
  LandedLines Float64,
  Survived Float64,
  SurvivalBase Float64,
  Reworked Float64,
  ReworkBase Float64,
  AbandonedBefore DateTime64(3),
  LinkedAt DateTime64(3),
  ComputedAt DateTime64(3)
) ENGINE = ReplacingMergeTree(ComputedAt)
ORDER BY (Project, Repository, SessionId)`,
  ],
};
