import type { Migration } from './migration.js';

/**
 * Frozen: survival and rework of landed commits (issue "outcomes"). Never edit.
 * - git_commit_survival: per Mainline commit, lines added, lines still blamed
 *   to it at the tip once 30 days old, lines changed within 21 days (NULL until due);
 * - git_line_origins: per file at the tip, the lines each commit owns
 *   (`git blame --first-parent`), so a sync re-blames only the files it touched;
 * - git_survival_state: the tip and time of the last survival run.
 */
export const migration0017: Migration = {
  id: 17,
  name: 'commit_survival',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS git_commit_survival (
  Project LowCardinality(String),
  Repository LowCardinality(String),
  Branch LowCardinality(String),
  Hash String,
  LinesAdded UInt32,
  Surviving30d Nullable(UInt32),
  Reworked21d Nullable(UInt32),
  ComputedAt DateTime64(3)
) ENGINE = ReplacingMergeTree(ComputedAt)
ORDER BY (Project, Repository, Branch, Hash)`,
    `CREATE TABLE IF NOT EXISTS git_line_origins (
  Project LowCardinality(String),
  Repository LowCardinality(String),
  Branch LowCardinality(String),
  Path String,
  OriginHash String,
  Lines UInt32,
  TipHash String,
  ComputedAt DateTime64(3)
) ENGINE = ReplacingMergeTree(ComputedAt)
ORDER BY (Project, Repository, Branch, Path, OriginHash)`,
    `CREATE TABLE IF NOT EXISTS git_survival_state (
  Project LowCardinality(String),
  Repository LowCardinality(String),
  Branch LowCardinality(String),
  TipHash String,
  ComputedAt DateTime64(3)
) ENGINE = ReplacingMergeTree(ComputedAt)
ORDER BY (Project, Repository, Branch)`,
  ],
};
