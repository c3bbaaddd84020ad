/**
 * The summary line `git commit` prints: `[<branch> <hash>] <subject>`, with
 * `(root-commit) ` before the hash for a repository's first commit, and a
 * detached HEAD shown as `detached HEAD`. Anchored at a line start, so a
 * subject or a diff line quoting brackets does not match.
 */
const COMMIT_SUMMARY = /^\[[^\]\n]+? (?:\(root-commit\) )?([0-9a-f]{7,64})\] /gm;

/** The abbreviated hash of the last commit `git commit` reports in this output, or '' when it reports none. */
export function commitHashInGitOutput(output: string): string {
  let last = '';
  for (const m of output.matchAll(COMMIT_SUMMARY)) last = m[1]!;
  return last;
}

/** A commit id as a harness reports it (abbreviated or full hex), lower-cased; '' for anything else. */
export function commitIdOf(value: unknown): string {
  if (typeof value !== 'string') return '';
  const v = value.trim().toLowerCase();
  return /^[0-9a-f]{7,64}$/.test(v) ? v : '';
}
