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
    /** 'trailer' (the commit names the session), 'commit' (a tool call of the session made it) or 'files' (same repository, edited its files within the window before it). */
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

/**
 * Per session, what landed from it on a synced branch: materialised from
 * session_commits, git_commits and git_commit_survival after each link run
 * and after each survival run (packages/query/src/outcomes/materialise.ts),
 * so reports, the API and dashboards read outcomes with short SQL. Each run
 * writes one row per session of the repository (linked, or naming the
 * repository and linked to nothing) and one row with SessionId '' that marks
 * the run; readers take each repository's latest run, so links that no longer
 * hold drop out even when a run links nothing.
 */
export const SESSION_OUTCOMES = defineTable({
  name: 'session_outcomes',
  columns: {
    Project: col(t.lowString),
    Repository: col(t.lowString),
    Branch: col(t.lowString),
    SessionId: col(t.string),
    /** Mainline commits the session is linked to. */
    Commits: col(t.strings),
    /** Pull requests those commits landed, as 'repository#number'. */
    PullRequests: col(t.strings),
    /** Those of Commits that a later commit reverted. */
    Reverted: col(t.strings),
    /** Estimated agent lines of the session that landed (session_commits.LandedLines, summed). */
    LandedLines: col(t.float64),
    /** Of LandedLines, those in commits whose survival is computed (SurvivalBase), the estimated share still at the tip after 30 days (Survived). */
    Survived: col(t.float64),
    SurvivalBase: col(t.float64),
    /** Of LandedLines, those in commits whose rework is computed (ReworkBase), the estimated share changed within 21 days (Reworked). */
    Reworked: col(t.float64),
    ReworkBase: col(t.float64),
    /** A session linked to nothing that ended before this (the branch's last commit minus the link window) counts as abandoned. */
    AbandonedBefore: col(t.millis),
    /** The link run (session_commits.ComputedAt) this was computed from. */
    LinkedAt: col(t.millis),
    ComputedAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(ComputedAt)',
  orderBy: '(Project, Repository, SessionId)',
});

export type SessionOutcomeRow = RowOf<typeof SESSION_OUTCOMES.columns>;
