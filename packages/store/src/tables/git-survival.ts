import { t } from '../schema/column-types.js';
import { col, defineTable, type RowOf } from '../schema/table.js';

/*
 * Survival and rework of what landed, computed by `fulcrum git sync` from
 * `git blame --first-parent` after the commits are stored (packages/cli/src/git/blame*.ts).
 *
 * Blame follows the branch's first parents only, so every line is owned by a
 * Mainline commit: a merged PR's lines by its merge commit, a squash's by the
 * squash. Incremental: each sync re-blames at the new tip only the files the
 * new first-parent commits touched (git_line_origins keeps, per file at the
 * tip, the lines each commit owns), and blames for rework only the commits that
 * crossed 21 days since the previous run (git_survival_state says when it ran).
 */

/** One row per Mainline commit: its lines added, and of those, how many survive at the tip and how many were reworked. */
export const GIT_COMMIT_SURVIVAL = defineTable({
  name: 'git_commit_survival',
  columns: {
    Project: col(t.lowString),
    Repository: col(t.lowString),
    Branch: col(t.lowString),
    Hash: col(t.string),
    /** As git_commits.LinesAdded: text lines of the commit's first-parent diff (a merge: its whole PR). */
    LinesAdded: col(t.uint32),
    /** Lines blame at the branch tip still attributes to this commit; NULL until the commit is 30 days old at sync time. Follows the tip: re-blamed when later commits touch its files. */
    Surviving30d: col(t.nullableUint32),
    /** Lines it added that a later Mainline commit within 21 days changed or removed (LinesAdded − lines blame still gives it at the last commit within 21 days); NULL until 21 days have passed. */
    Reworked21d: col(t.nullableUint32),
    ComputedAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(ComputedAt)',
  orderBy: '(Project, Repository, Branch, Hash)',
});

/**
 * Incremental state of survival: per file at the tip, the lines each (Mainline) commit owns by
 * `git blame --first-parent`. A re-blamed file writes a row per origin it has now and Lines 0 for
 * origins it no longer has (a deleted file: 0 for all), so `sum(Lines) FINAL` per origin is its lines at the tip.
 */
export const GIT_LINE_ORIGINS = defineTable({
  name: 'git_line_origins',
  columns: {
    Project: col(t.lowString),
    Repository: col(t.lowString),
    Branch: col(t.lowString),
    Path: col(t.string),
    OriginHash: col(t.string),
    Lines: col(t.uint32),
    /** The tip the file was blamed at. */
    TipHash: col(t.string),
    ComputedAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(ComputedAt)',
  orderBy: '(Project, Repository, Branch, Path, OriginHash)',
});

/** The tip survival was last computed at, and when (the clock the 21- and 30-day windows are measured on). */
export const GIT_SURVIVAL_STATE = defineTable({
  name: 'git_survival_state',
  columns: {
    Project: col(t.lowString),
    Repository: col(t.lowString),
    Branch: col(t.lowString),
    TipHash: col(t.string),
    ComputedAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(ComputedAt)',
  orderBy: '(Project, Repository, Branch)',
});

export type GitCommitSurvivalRow = RowOf<typeof GIT_COMMIT_SURVIVAL.columns>;
export type GitLineOriginRow = RowOf<typeof GIT_LINE_ORIGINS.columns>;
export type GitSurvivalStateRow = RowOf<typeof GIT_SURVIVAL_STATE.columns>;
