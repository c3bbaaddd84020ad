import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@fulcrum/store';
import { redact } from '@fulcrum/vocab';
import { syncBranch } from '@fulcrum/cli/git/sync';
import { storeSink } from '@fulcrum/cli/git/sinks';
import { blameCount } from '@fulcrum/cli/git/blame-porcelain';
import { tempDataDir } from '../helpers/store.js';
import { buildSurvivalRepo, DAY, figures as row, FIRST_RUN_FIGURES, lines, type SurvivalRepo } from '../helpers/survival-repo.js';

/*
 * Survival and rework on a real repository built with the git CLI (tests/helpers/survival-repo.ts),
 * and syncs that re-blame only what changed. Every figure below is counted by hand from the history.
 */

const NOW = Math.floor(Date.now() / 1000) * 1000;
const root = tempDataDir('fulcrum-survival-');
let r: SurvivalRepo;
let h: Record<string, string>;
let store: Store;
const dataDir = tempDataDir();
const target = { project: 'default', repository: 'api', branch: 'main' };

beforeAll(() => {
  r = buildSurvivalRepo(root, NOW);
  h = r.h;
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

/** Syncs at a given clock, recording every git blame the survival run starts. */
async function syncAt(nowMs: number) {
  const blamed: { purpose: string; path: string }[] = [];
  const result = await syncBranch({
    path: r.repo, ref: 'refs/heads/main', sink: storeSink(store, { ...target, redact }),
    survival: { nowMs, onBlame: (purpose, _rev, path) => blamed.push({ purpose, path }) },
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

    expect(await survival()).toEqual(FIRST_RUN_FIGURES);
    // The per-file state: who owns the lines of widget.ts at the tip.
    expect(await rows(`SELECT OriginHash, Lines FROM git_line_origins FINAL WHERE Path = 'src/widget.ts' AND Lines > 0 ORDER BY Lines`))
      .toEqual([{ OriginHash: h.fix, Lines: 1 }, { OriginHash: h.merge, Lines: 4 }]);
  }, 45_000);

  it('a later sync re-blames only the files new commits touched, and judges commits as they age', async () => {
    r.write('src/parser.ts', lines(['z1', 'p2x', 'p3', 'p4']));
    r.app[2] = 'z3';
    r.write('src/app.ts', lines(r.app));
    h.later = r.commit('Touch parser and app', 1);
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
    const tip = await blameCount({ cwd: r.repo, rev: 'HEAD', path: 'src/app.ts' });
    expect(Object.fromEntries(tip.lines)).toEqual({ [h.agent!]: 5, [h.rewrite!]: 3, [h.young!]: 1, [h.later!]: 1 });
    // Without --first-parent the PR commit would own widget lines; with it, the merge does.
    const widget = await blameCount({ cwd: r.repo, rev: h.merge!, path: 'src/widget.ts' });
    expect(Object.fromEntries(widget.lines)).toEqual({ [h.merge!]: 5 });
    expect(await blameCount({ cwd: r.repo, rev: 'HEAD', path: 'src/old.ts' })).toEqual({ lines: new Map(), missing: true, binary: false });
    expect((await blameCount({ cwd: r.repo, rev: 'HEAD', path: 'logo.png' })).binary).toBe(true);
  });
});
