import { t } from '../schema/column-types.js';
import { col, defineTable, type RowOf } from '../schema/table.js';

/*
 * Commit facts read from a repository by `fulcrum git sync`: what landed on a
 * branch, when, with which agent co-authors and sessions named in trailers,
 * and the lines each file gained and lost. The outcome figures (landed lines,
 * survival, rework, revert rate, cost per accepted change) are computed from
 * these tables by SQL; they never read the repository again.
 *
 * Each table is a ReplacingMergeTree keyed by what identifies a fact (a
 * commit is a fact of one branch: which commits landed, and how, differs
 * between branches; outcome figures read the default branch), with the
 * sync time as version: syncing the same history again writes rows that
 * replace the ones stored, so a re-run adds nothing. Readers use FINAL (or
 * argMax) where a duplicate would matter. Not partitioned: the tables are small
 * (a row per commit, a row per file changed) and a replacement only meets the
 * row it replaces within one partition.
 */

/**
 * One row per commit on the synced branch: its first-parent history (Mainline: a squash, a merge with the
 * whole PR as one diff, or a direct commit) and the PR commits merges brought in (LandedIn names the merge).
 */
export const GIT_COMMITS = defineTable({
  name: 'git_commits',
  columns: {
    Project: col(t.lowString),
    /** `owner/name` of the origin remote, else the folder name, else what --repository said. */
    Repository: col(t.lowString),
    /** The branch the commit was synced from (the default branch unless --branch named another): Mainline and LandedIn are facts of that branch. */
    Branch: col(t.lowString),
    /** Full lowercase hex object id (40 digits, 64 in a SHA-256 repository). */
    Hash: col(t.string),
    ParentHashes: col(t.strings),
    AuthorTime: col(t.millis),
    /** When the commit was made on the branch (a squash or merge: when the PR landed). */
    CommitTime: col(t.millis),
    /** SHA-256 (hex) of the author's email, lowercased and trimmed: groups a person's commits without storing who. */
    AuthorEmailHash: col(t.string),
    IsMerge: col(t.bool),
    /**
     * On the branch's first-parent history: its diff is what landed (a merge's diff is against its first
     * parent, the whole PR). False for a PR commit that a merge brought in: kept for linking, lines counted on its merge.
     */
    Mainline: col(t.bool),
    /** For a commit that is not Mainline: the merge commit that landed it on the branch; '' otherwise. */
    LandedIn: col(t.string),
    /** From `Merge pull request #N from …` or a subject ending `(#N)`; 0 when none. */
    PullRequest: col(t.uint32),
    /** Harnesses named by `Co-authored-by:` trailers: claude-code, codex, gemini-cli (the names sessions carry); a merge's include its PR commits'. */
    AgentCoAuthors: col(t.lowStrings),
    /** Session ids named by a session trailer (Session-Id:, Claude-Session:, …); a merge's include its PR commits'. */
    SessionIds: col(t.strings),
    /** The commit this one reverts (`This reverts commit X.`), as written (it may be abbreviated); '' when none. */
    RevertsHash: col(t.string),
    /** The subject line, secrets redacted, capped. */
    Subject: col(t.string),
    /** Lines added and removed over text files (binary files count in FilesChanged only); 0 for a commit that is not Mainline. */
    LinesAdded: col(t.uint32),
    LinesRemoved: col(t.uint32),
    FilesChanged: col(t.uint32),
    SyncedAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(SyncedAt)',
  orderBy: '(Project, Repository, Branch, Hash)',
});

/** One row per file a commit changed, with its lines added and removed (a rename names both paths). */
export const GIT_COMMIT_FILES = defineTable({
  name: 'git_commit_files',
  columns: {
    Project: col(t.lowString),
    Repository: col(t.lowString),
    Branch: col(t.lowString),
    Hash: col(t.string),
    AuthorTime: col(t.millis),
    CommitTime: col(t.millis),
    /** The path after the commit. */
    Path: col(t.string),
    /** The path before a rename or copy; '' otherwise. */
    OldPath: col(t.string),
    LinesAdded: col(t.uint32),
    LinesRemoved: col(t.uint32),
    /** git counts no lines in a binary file: both counts are 0. */
    Binary: col(t.bool),
    SyncedAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(SyncedAt)',
  // A file's history sorts together: survival and rework walk it path by path.
  orderBy: '(Project, Repository, Branch, Path, Hash)',
});

/**
 * How far a branch has been synced completely: its tip then, and from when
 * (0: all history). The next sync reads only the commits after that tip, when
 * the tip is still on the branch and the earlier run reached at least as far back.
 */
export const GIT_SYNC_STATE = defineTable({
  name: 'git_sync_state',
  columns: {
    Project: col(t.lowString),
    Repository: col(t.lowString),
    Branch: col(t.lowString),
    TipHash: col(t.string),
    /** The --since of the run (milliseconds), 0 when it read the whole history. */
    CoveredSince: col(t.millis),
    SyncedAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(SyncedAt)',
  orderBy: '(Project, Repository, Branch)',
});

export type GitCommitRow = RowOf<typeof GIT_COMMITS.columns>;
export type GitCommitFileRow = RowOf<typeof GIT_COMMIT_FILES.columns>;
export type GitSyncStateRow = RowOf<typeof GIT_SYNC_STATE.columns>;
