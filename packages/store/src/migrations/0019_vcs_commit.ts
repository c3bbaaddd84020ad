import type { Migration } from './migration.js';

/**
 * Frozen: the commit a tool call's `git commit` made (issue "outcomes"), as
 * the harness reports it (Claude Code's git_commit_id, a transcript's
 * gitOperation) or git's own summary line shows it. Never edit.
 */
export const migration0019: Migration = {
  id: 19,
  name: 'vcs_commit',
  statements: () => ['ALTER TABLE spans ADD COLUMN IF NOT EXISTS VcsCommit String'],
};
