import { t } from '../schema/column-types.js';
import { col, defineTable, type RowOf } from '../schema/table.js';

/**
 * Which sessions wrote which landed commits, computed in ClickHouse from
 * git_commits, git_commit_files, session_summaries and spans
 * (packages/query/src/outcomes/link.ts; rules in docs/outcomes.md). Hash is
 * the Mainline commit that landed the work (for a PR commit named by a
 * trailer: the merge that landed it). A re-link writes rows with a newer
 * ComputedAt that replace the old ones; readers use FINAL.
 */
export const SESSION_COMMITS = defineTable({
  name: 'session_commits',
  columns: {
    Project: col(t.lowString),
    Repository: col(t.lowString),
    Branch: col(t.lowString),
    Hash: col(t.string),
    SessionId: col(t.string),
    /** 'trailer' (the commit names the session) or 'files' (same repository, edited its files within the window before it). */
    Rule: col(t.lowString),
    /** The session's share of the commit, by the lines each linked session edited in its files; 1 when alone. */
    Share: col(t.float64),
    /** Estimated agent lines of this session that landed in the commit (from counts, not line contents). */
    LandedLines: col(t.float64),
    CommitTime: col(t.millis),
    ComputedAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(ComputedAt)',
  orderBy: '(Project, Repository, Hash, SessionId)',
});

export type SessionCommitRow = RowOf<typeof SESSION_COMMITS.columns>;
