import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * A real repository built with the git CLI for the survival and rework tests, dated relative to
 * `now`: an agent commit rewritten within 21 days and one of its files deleted, a squash-merged
 * PR, a true merge whose PR commits' lines count for the merge, and commits too young to be
 * judged. FIRST_RUN_FIGURES is counted by hand from this history.
 */

export const DAY = 86_400_000;

export interface SurvivalRepo {
  repo: string;
  /** Commit hashes by name. */
  h: Record<string, string>;
  /** app.ts's lines as the last commit left them (tests edit and commit it again). */
  app: string[];
  git(args: string[], daysAgo?: number): string;
  write(path: string, text: string | Buffer): void;
  commit(message: string, daysAgo: number): string;
}

export const lines = (tags: string[]) => tags.join('\n') + '\n';
export const seq = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i + 1}`);
export const figures = (LinesAdded: number, Surviving30d: number | null, Reworked21d: number | null) => ({ LinesAdded, Surviving30d, Reworked21d });

/** git_commit_survival per commit name after a first sync at `now`. */
export const FIRST_RUN_FIGURES = {
  // README's 2 lines; the binary counts none.
  init: figures(2, 2, 0),
  // 13 added; at the tip 5 of app.ts remain (4 rewritten, 1 changed 5 days ago) and old.ts is gone;
  // within 21 days, 4 rewritten and 3 deleted (the tweak 55 days later is not rework).
  agent: figures(13, 5, 7),
  rewrite: figures(4, 4, 0),
  remove: figures(0, 0, 0),
  squash: figures(4, 3, 1),
  // The PR's lines count on the merge (the "draft" line its second commit replaced never landed); its commits get no row.
  merge: figures(5, 4, 1),
  // 25 days old: rework is due (none: the tweak touched other lines), survival not yet.
  fix: figures(2, null, 0),
  young: figures(1, null, null),
};

export function buildSurvivalRepo(root: string, now: number): SurvivalRepo {
  const repo = join(root, 'api');
  const gitEnv = { ...process.env, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
  const git = (args: string[], daysAgo?: number): string => {
    const date = daysAgo === undefined ? undefined : `@${Math.round((now - daysAgo * DAY) / 1000)} +0000`;
    const env = date === undefined ? gitEnv : { ...gitEnv, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
    return execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim();
  };
  const write = (path: string, text: string | Buffer) => {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  const commit = (message: string, daysAgo: number): string => {
    git(['add', '-A']);
    git(['commit', '-q', '-m', message], daysAgo);
    return git(['rev-parse', 'HEAD']);
  };
  const h: Record<string, string> = {};
  const app = seq(10, 'a');
  mkdirSync(repo, { recursive: true });
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'Ada Human']);
  git(['config', 'user.email', 'ada@example.com']);
  git(['config', 'commit.gpgsign', 'false']);
  write('README.md', lines(['# api', 'hello']));
  write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0x0a, 0, 3, 0x0a]));
  h.init = commit('Initial commit', 70);
  // The agent commit: 10 lines of app.ts, 3 of old.ts.
  write('src/app.ts', lines(app));
  write('src/old.ts', lines(seq(3, 'o')));
  h.agent = commit('Add app\n\nCo-Authored-By: Claude <noreply@anthropic.com>', 60);
  // 10 days later (within 21): 4 of its lines rewritten.
  app.splice(2, 4, 'b3', 'b4', 'b5', 'b6');
  write('src/app.ts', lines(app));
  h.rewrite = commit('Rewrite the middle of app', 50);
  // 20 days after the agent commit (within 21): its 3 lines of old.ts deleted.
  rmSync(join(repo, 'src/old.ts'));
  h.remove = commit('Remove old', 40);
  // A squash-merged PR.
  write('src/parser.ts', lines(seq(4, 'p')));
  h.squash = commit('Add parser (#12)', 35);
  // A PR branch of two commits merged with --no-ff: its 5 lines belong to the merge.
  git(['checkout', '-q', '-b', 'feature']);
  write('src/widget.ts', lines([...seq(4, 'w'), 'draft']));
  h.pr1 = commit('Add widget', 34);
  write('src/widget.ts', lines(seq(5, 'w')));
  h.pr2 = commit('Polish widget', 33);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--no-ff', 'feature', '-m', 'Merge pull request #13 from acme/feature'], 32);
  h.merge = git(['rev-parse', 'HEAD']);
  // 10 days after the squash, 7 after the merge: one line of each changed.
  write('src/parser.ts', lines(['p1', 'p2x', 'p3', 'p4']));
  write('src/widget.ts', lines(['w1x', 'w2', 'w3', 'w4', 'w5']));
  h.fix = commit('Fix parser and widget', 25);
  // Too young to judge; changes one more of the agent's lines.
  app[0] = 'y1';
  write('src/app.ts', lines(app));
  h.young = commit('Tweak app', 5);
  return { repo, h, app, git, write, commit };
}
