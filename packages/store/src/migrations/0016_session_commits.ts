import type { Migration } from './migration.js';

/**
 * Frozen: which sessions wrote which landed commits (issue "outcomes"). Never edit.
 * session_commits: one row per (Mainline commit, session) link, by the rule
 * that linked it (trailer or files), with the session's share of the commit
 * and the agent lines estimated to have landed in it. Recomputed by
 * `fulcrum git sync` after each sync; a re-run replaces the rows by key.
 */
export const migration0016: Migration = {
  id: 16,
  name: 'session_commits',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS session_commits (
  Project LowCardinality(String),
  Repository LowCardinality(String),
  Branch LowCardinality(String),
  Hash String,
  SessionId String,
  Rule LowCardinality(String),
  Share Float64,
  LandedLines Float64,
  CommitTime DateTime64(3),
  ComputedAt DateTime64(3)
) ENGINE = ReplacingMergeTree(ComputedAt)
ORDER BY (Project, Repository, Hash, SessionId)`,
  ],
};
