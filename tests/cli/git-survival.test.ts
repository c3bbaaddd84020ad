import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '@fulcrum/store';
import { redact } from '@fulcrum/vocab';
import { syncBranch } from '@fulcrum/cli/git/sync';
import { storeSink } from '@fulcrum/cli/git/sinks';
import { blameCount } from '@fulcrum/cli/git/blame-porcelain';
import { tempDataDir } from '../helpers/store.js';

/*
 * Survival and rework on a real repository built with the git CLI, dated
 * relative to a fixed "now": an agent commit rewritten within 21 days and one
 * of its files deleted, a squash-merged PR, a true merge whose PR commits'
 * lines count for the merge, commits too young to be judged, and syncs that
 * re-blame only what changed. Every figure below is counted by hand from the
 * history.
 */

const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / 1000) * 1000;
const root = tempDataDir('fulcrum-survival-');
const repo = join(root, 'api');
const gitEnv = { ...process.env, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
function git(args: string[], daysAgo?: number): string {
  const date = daysAgo === undefined ? undefined : `@${Math.round((NOW - daysAgo * DAY) / 1000)} +0000`;
  const env = date === undefined ? gitEnv : { ...gitEnv, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  return execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim();
}
const write = (path: string, text: string | Buffer) => {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const lines = (tags: string[]) => tags.join('\n') + '\n';
const seq = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i + 1}`);
function commit(message: string, daysAgo: number): string {
  git(['add', '-A']);
  git(['commit', '-q', '-m', message], daysAgo);
  return git(['rev-parse', 'HEAD']);
}

const h: Record<string, string> = {};
const app = seq(10, 'a');
let store: Store;
const dataDir = tempDataDir();
const target = { project: 'default', repository: 'api', branch: 'main' };

beforeAll(async () => {
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
});

afterAll(async () => {
  await store?.close();
});

async function rows<T>(query: string): Promise<T[]> {
  const rs = await store.client.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}
type Survival = { Hash: string; LinesAdded: number; Surviving30d: number | null; Reworked21d: number | null };
async function survival(): Promise<Record<string, Omit<Survival, 'Hash'>>> {
  const found = await rows<Survival>('SELECT Hash, LinesAdded, Surviving30d, Reworked21d FROM git_commit_survival FINAL ORDER BY Hash');
  const name = Object.fromEntries(Object.entries(h).map(([k, v]) => [v, k]));
  return Object.fromEntries(found.map(({ Hash, ...rest }) => [name[Hash] ?? Hash, rest]));
}
const row = (LinesAdded: number, Surviving30d: number | null, Reworked21d: number | null) => ({ LinesAdded, Surviving30d, Reworked21d });

/** Syncs at a given clock, recording every git blame the survival run starts. */
async function syncAt(nowMs: number) {
  const blamed: { purpose: string; path: string }[] = [];
  const result = await syncBranch({
    path: repo, ref: 'refs/heads/main', sink: storeSink(store, { ...target, redact }),
    survival: { store, target, nowMs, onBlame: (purpose, _rev, path) => blamed.push({ purpose, path }) },
  });
  const paths = (purpose: string) => blamed.filter((b) => b.purpose === purpose).map((b) => b.path).sort();
  return { result, survivalBlames: paths('survival'), reworkBlames: paths('rework') };
}

describe('survival and rework (git blame --first-parent, incremental)', () => {
  it('counts, per Mainline commit, lines surviving at the tip after 30 days and lines reworked within 21', async () => {
    store = await openStore({ dataDir });
    const first = await syncAt(NOW);
    expect(first.result.survival).toMatchObject({ full: true, filesBlamed: 5 });
    // The first run blames every file at the tip (old.ts is gone; the binary is blamed and counts nothing).
    expect(first.survivalBlames).toEqual(['README.md', 'logo.png', 'src/app.ts', 'src/parser.ts', 'src/widget.ts']);
    // Rework: per file of each commit ≥ 21 days old, only when a later commit in its 21 days touched that file
    // (the agent's two files, the squash's and the merge's; README, the rewrite's and the fix's files were left alone).
    expect(first.reworkBlames).toEqual(['src/app.ts', 'src/old.ts', 'src/parser.ts', 'src/widget.ts']);

    expect(await survival()).toEqual({
      // README's 2 lines; the binary counts none.
      init: row(2, 2, 0),
      // 13 added; at the tip 5 of app.ts remain (4 rewritten, 1 changed 5 days ago) and old.ts is gone;
      // within 21 days, 4 rewritten and 3 deleted (the tweak 55 days later is not rework).
      agent: row(13, 5, 7),
      rewrite: row(4, 4, 0),
      remove: row(0, 0, 0),
      squash: row(4, 3, 1),
      // The PR's lines count on the merge (the "draft" line its second commit replaced never landed); its commits get no row.
      merge: row(5, 4, 1),
      // 25 days old: rework is due (none: the tweak touched other lines), survival not yet.
      fix: row(2, null, 0),
      young: row(1, null, null),
    });
    // The per-file state: who owns the lines of widget.ts at the tip.
    expect(await rows(`SELECT OriginHash, Lines FROM git_line_origins FINAL WHERE Path = 'src/widget.ts' AND Lines > 0 ORDER BY Lines`))
      .toEqual([{ OriginHash: h.fix, Lines: 1 }, { OriginHash: h.merge, Lines: 4 }]);
  }, 45_000);

  it('a later sync re-blames only the files new commits touched, and judges commits as they age', async () => {
    write('src/parser.ts', lines(['z1', 'p2x', 'p3', 'p4']));
    app[2] = 'z3';
    write('src/app.ts', lines(app));
    h.later = commit('Touch parser and app', 1);
    const second = await syncAt(NOW + 60_000);
    expect(second.result.commits).toBe(1);
    expect(second.survivalBlames).toEqual(['src/app.ts', 'src/parser.ts']);
    expect(second.reworkBlames).toEqual([]);
    const after = await survival();
    // The squash lost one more line at the tip; its rework (judged at 21 days) stays.
    expect(after.squash).toEqual(row(4, 2, 1));
    expect(after.rewrite).toEqual(row(4, 3, 0));
    expect(after.later).toEqual(row(2, null, null));
    expect(after.agent).toEqual(row(13, 5, 7));

    // 20 days on, nothing new: the fix turns 30 (survival from the stored state, no blame at the tip),
    // the tweak and the last commit turn 21 (only the tweak has a later commit touching its file: one blame).
    const third = await syncAt(NOW + 20 * DAY + 3_600_000);
    expect(third.result.commits).toBe(0);
    expect(third.survivalBlames).toEqual([]);
    expect(third.reworkBlames).toEqual(['src/app.ts']);
    const aged = await survival();
    expect(aged.fix).toEqual(row(2, 2, 0));
    expect(aged.young).toEqual(row(1, null, 0));
    expect(aged.later).toEqual(row(2, null, 0));
    expect(await rows('SELECT count() AS n FROM git_commit_survival FINAL')).toEqual([{ n: 9 }]);
  }, 45_000);

  it('counts blame lines per origin from the streamed porcelain, and reports a missing path', async () => {
    const tip = await blameCount({ cwd: repo, rev: 'HEAD', path: 'src/app.ts' });
    expect(Object.fromEntries(tip.lines)).toEqual({ [h.agent!]: 5, [h.rewrite!]: 3, [h.young!]: 1, [h.later!]: 1 });
    // Without --first-parent the PR commit would own widget lines; with it, the merge does.
    const widget = await blameCount({ cwd: repo, rev: h.merge!, path: 'src/widget.ts' });
    expect(Object.fromEntries(widget.lines)).toEqual({ [h.merge!]: 5 });
    expect(await blameCount({ cwd: repo, rev: 'HEAD', path: 'src/old.ts' })).toEqual({ lines: new Map(), missing: true, binary: false });
    expect((await blameCount({ cwd: repo, rev: 'HEAD', path: 'logo.png' })).binary).toBe(true);
  });
});
