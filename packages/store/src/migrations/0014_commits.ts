import type { Migration } from './migration.js';

/**
 * Frozen: commit facts from `fulcrum git sync` (issue "outcomes"). Never edit.
 * - git_commits: one row per commit of a branch's first-parent history (author
 *   and commit time, a hash of the author's email, PR number, agent
 *   co-authors, session ids from trailers, the commit it reverts, lines), and
 *   per PR commit a merge brought in (LandedIn);
 * - git_commit_files: lines added and removed per file per commit;
 * - git_sync_state: the tip each branch was last synced to completely, so a
 *   re-run reads only what is new.
 */
export const migration0014: Migration = {
  id: 14,
  name: 'commits',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS git_commits (
  Project LowCardinality(String),
  Repository LowCardinality(String),
  Branch LowCardinality(String),
  Hash String,
  ParentHashes Array(String),
  AuthorTime DateTime64(3),
  CommitTime DateTime64(3),
  AuthorEmailHash String,
  IsMerge Bool,
  Mainline Bool,
  LandedIn String,
  PullRequest UInt32,
  AgentCoAuthors Array(LowCardinality(String)),
  SessionIds Array(String),
  RevertsHash String,
  Subject String,
  LinesAdded UInt32,
  LinesRemoved UInt32,
  FilesChanged UInt32,
  SyncedAt DateTime64(3)
) ENGINE = ReplacingMergeTree(SyncedAt)
ORDER BY (Project, Repository, Branch, Hash)`,
    `CREATE TABLE IF NOT EXISTS git_commit_files (
  Project LowCardinality(String),
  Repository LowCardinality(String),
  Branch LowCardinality(String),
  Hash String,
  AuthorTime DateTime64(3),
  CommitTime DateTime64(3),
  Path String,
  OldPath String,
  LinesAdded UInt32,
  LinesRemoved UInt32,
  Binary Bool,
  SyncedAt DateTime64(3)
) ENGINE = ReplacingMergeTree(SyncedAt)
ORDER BY (Project, Repository, Branch, Path, Hash)`,
    `CREATE TABLE IF NOT EXISTS git_sync_state (
  Project LowCardinality(String),
  Repository LowCardinality(String),
  Branch LowCardinality(String),
  TipHash String,
  CoveredSince DateTime64(3),
  SyncedAt DateTime64(3)
) ENGINE = ReplacingMergeTree(SyncedAt)
ORDER BY (Project, Repository, Branch)`,
  ],
};
