import { spawnSync } from 'node:child_process';
import type { CommitSurvival, LineOrigin, SurvivalData } from '@fulcrum/query';
import { blameCount, mapLimited, type BlameCount } from './blame-porcelain.js';
import { isAncestor } from './repo.js';

/*
 * Survival and rework per Mainline commit, from `git blame --first-parent`.
 *
 * Why first-parent: blame then follows only the branch's own history, so every
 * line is owned by a Mainline commit, the row that landed it: a merged PR's
 * lines by its merge commit (not by the PR commits), a squash's by the squash.
 * These are the rows git_commits counts LinesAdded on, so the figures compare.
 *
 * - Survival (Surviving30d): lines blame at the branch tip attributes to the
 *   commit, once the commit is 30 days old. git_line_origins keeps, per file at
 *   the tip, the lines each commit owns; a sync re-blames only the files the
 *   new first-parent commits touched (a file gone from the tip owns nothing),
 *   then rewrites the rows of the commits whose counts moved and of those that
 *   just turned 30 days old.
 * - Rework (Reworked21d): for a commit C made at T, W is the last Mainline
 *   commit made by T + 21 days; rework is what C added minus what blame at W
 *   still attributes to C, over C's text files. Blame runs on the range C^..W,
 *   so it walks only those 21 days. Each commit is blamed once, by the first
 *   sync after it turned 21 days old (a later change is not rework).
 *
 * A binary file has no lines (as git's numstat counts it). Blame processes run
 * two at a time and stream their output.
 */

const DAY = 86_400_000;
/** Hashes per query (they travel as an Array(String) parameter). */
const HASHES_PER_QUERY = 2000;
/** Rows per insert while files are blamed. */
const ROWS_PER_WRITE = 20_000;

export interface SurvivalOptions {
  /** The branch's stored commits and survival state: its store, directly (storeSurvivalData) or through a server (serverSink's POST /api/git/survival). */
  data: SurvivalData;
  /** The repository's directory. */
  path: string;
  /** The branch tip the commits were synced to. */
  tip: string;
  /** The clock the 21- and 30-day windows are measured on, in ms. @default Date.now() */
  nowMs?: number;
  /** git blame processes at once. @default 2 */
  concurrency?: number;
  /** Days after which a commit's surviving lines are counted. @default 30 */
  survivalDays?: number;
  /** Days within which a later change counts as rework. @default 21 */
  reworkDays?: number;
  /** Called before each git blame (for progress, and for tests counting them). @default undefined */
  onBlame?: (purpose: 'survival' | 'rework', rev: string, path: string) => void;
  /** @default 'git' */
  gitBin?: string;
}

export interface SurvivalResult {
  /** Every file at the tip was blamed: the first run, or history was rewritten. */
  full: boolean;
  /** Files blamed at the tip for survival. */
  filesBlamed: number;
  /** Blames run for rework (commit × file). */
  reworkBlames: number;
  /** Commits whose survival row was written. */
  commitsWritten: number;
}

interface FirstParentCommit {
  hash: string;
  parent: string;
  timeMs: number;
}

/** Recomputes git_commit_survival for what changed since the last run (see the note above). */
export async function updateSurvival(options: SurvivalOptions): Promise<SurvivalResult> {
  const { data, path, tip } = options;
  const gitBin = options.gitBin ?? 'git';
  const now = options.nowMs ?? Date.now();
  const concurrency = options.concurrency ?? 2;
  const survivalMs = (options.survivalDays ?? 30) * DAY;
  const reworkMs = (options.reworkDays ?? 21) * DAY;
  const state = await data.state();
  const incremental = state !== undefined && isAncestor(path, state.tip, tip, gitBin);
  const result: SurvivalResult = { full: !incremental, filesBlamed: 0, reworkBlames: 0, commitsWritten: 0 };

  // 1. Survival: re-blame at the tip the files new commits touched (every file on a full run).
  let paths: string[];
  if (incremental) {
    paths = state.tip === tip ? [] : gitLines(path, ['log', '--first-parent', '--diff-merges=first-parent', '--name-only', '--no-renames', '-z', '--format=', `${state.tip}..${tip}`, '--'], gitBin);
  } else {
    paths = [...gitLines(path, ['ls-tree', '-r', '-z', '--name-only', tip], gitBin), ...(await data.storedPaths())];
  }
  paths = [...new Set(paths)];
  const moved = new Set<string>();
  let pending: LineOrigin[] = [];
  const flush = async () => {
    const rows = pending;
    pending = [];
    if (rows.length > 0) await data.writeOrigins(tip, now, rows);
  };
  for (let i = 0; i < paths.length; i += HASHES_PER_QUERY) {
    const chunk = paths.slice(i, i + HASHES_PER_QUERY);
    const before = new Map<string, string[]>();
    for (const row of await data.originsOf(chunk)) {
      let list = before.get(row.path);
      if (!list) before.set(row.path, (list = []));
      list.push(row.originHash);
    }
    await mapLimited(chunk, concurrency, async (file) => {
      options.onBlame?.('survival', tip, file);
      const blamed = await blameCount({ cwd: path, rev: tip, path: file, gitBin });
      result.filesBlamed++;
      const lines = new Map(blamed.lines);
      // An origin the file no longer has owns 0 lines in it now.
      for (const origin of before.get(file) ?? []) if (!lines.has(origin)) lines.set(origin, 0);
      for (const [origin, n] of lines) {
        moved.add(origin);
        pending.push({ path: file, originHash: origin, lines: n });
      }
      if (pending.length >= ROWS_PER_WRITE) await flush();
    });
  }
  await flush();

  // 2. Rework: the commits that turned 21 days old since the last run (all of them on a full run).
  const firstParent = readFirstParent(path, tip, gitBin);
  const reworkFrom = incremental ? state.at - reworkMs : -Infinity;
  const reworkDue = firstParent.filter((c) => c.timeMs > reworkFrom && c.timeMs <= now - reworkMs);
  const reworked = await reworkOf(reworkDue, firstParent, reworkMs, { ...options, gitBin, concurrency }, result);

  // 3. Rows for the commits that are new, whose count moved, that turned 30 days old, or whose rework was just computed.
  const survivalFrom = incremental ? state.at - survivalMs : -Infinity;
  const due = new Set(moved);
  // New commits get their row at once (NULL figures), even one that owns no line at the tip.
  const newFrom = incremental ? firstParent.findIndex((c) => c.hash === state.tip) + 1 : 0;
  for (const c of firstParent.slice(newFrom)) due.add(c.hash);
  for (const c of firstParent) if (c.timeMs > survivalFrom && c.timeMs <= now - survivalMs) due.add(c.hash);
  for (const h of reworked.keys()) due.add(h);
  const hashes = [...due];
  for (let i = 0; i < hashes.length; i += HASHES_PER_QUERY) {
    const chunk = hashes.slice(i, i + HASHES_PER_QUERY);
    const rows: CommitSurvival[] = (await data.commitFigures(chunk)).map((c) => ({
      hash: c.hash, linesAdded: c.linesAdded,
      surviving30d: now - c.timeMs >= survivalMs ? c.lines : null,
      reworked21d: now - c.timeMs >= reworkMs ? (reworked.get(c.hash) ?? c.reworked) : null,
    }));
    if (rows.length > 0) await data.writeSurvival(now, rows);
    result.commitsWritten += rows.length;
  }
  await data.finish(tip, now);
  return result;
}

/** Reworked lines per due commit: what it added to each text file minus what blame at the last commit within the window still gives it. */
async function reworkOf(
  due: readonly FirstParentCommit[], firstParent: readonly FirstParentCommit[], reworkMs: number,
  options: SurvivalOptions & { gitBin: string; concurrency: number }, result: SurvivalResult,
): Promise<Map<string, number>> {
  const reworked = new Map<string, number>();
  if (due.length === 0) return reworked;
  // Oldest first: the commits after C are the ones its window looks at.
  const position = new Map(firstParent.map((c, i) => [c.hash, i]));
  let work: { commit: FirstParentCommit; from: number; to: number; last: string; path: string; added: number }[] = [];
  const hashes = due.map((c) => c.hash);
  for (let i = 0; i < hashes.length; i += HASHES_PER_QUERY) {
    const files = await options.data.addedFiles(hashes.slice(i, i + HASHES_PER_QUERY));
    const byHash = new Map<string, { path: string; linesAdded: number }[]>();
    for (const f of files) {
      let list = byHash.get(f.hash);
      if (!list) byHash.set(f.hash, (list = []));
      list.push(f);
    }
    for (const c of due.slice(i, i + HASHES_PER_QUERY)) {
      reworked.set(c.hash, 0);
      let at = position.get(c.hash)!;
      while (at + 1 < firstParent.length && firstParent[at + 1]!.timeMs <= c.timeMs + reworkMs) at++;
      const last = firstParent[at]!.hash;
      // Nothing after C within the window: nothing reworked.
      if (last === c.hash) continue;
      for (const f of byHash.get(c.hash) ?? []) work.push({ commit: c, from: position.get(c.hash)!, to: at, last, path: f.path, added: f.linesAdded });
    }
  }
  // A file no later commit in the window touched (or renamed) kept all its lines: no blame needed.
  const touched = new Map<string, number[]>();
  const workPaths = [...new Set(work.map((w) => w.path))];
  for (let i = 0; i < workPaths.length; i += HASHES_PER_QUERY) {
    const chunk = workPaths.slice(i, i + HASHES_PER_QUERY);
    for (const ch of await options.data.changesOf(chunk)) {
      const at = position.get(ch.hash);
      if (at === undefined) continue;
      for (const p of ch.oldPath ? [ch.path, ch.oldPath] : [ch.path]) {
        let list = touched.get(p);
        if (!list) touched.set(p, (list = []));
        list.push(at);
      }
    }
  }
  work = work.filter((w) => (touched.get(w.path) ?? []).some((at) => at > w.from && at <= w.to));
  const renames = new Map<string, Map<string, string>>();
  await mapLimited(work, options.concurrency, async ({ commit, last, path, added }) => {
    const range = commit.parent ? `${commit.parent}..${last}` : last;
    let blamed: BlameCount = await blame(options, range, path, result);
    if (blamed.missing) {
      // Renamed within the window: its lines moved, they were not reworked.
      const key = `${commit.hash}..${last}`;
      let map = renames.get(key);
      if (!map) renames.set(key, (map = renamesBetween(options.path, commit.hash, last, options.gitBin)));
      const now = map.get(path);
      if (now) blamed = await blame(options, range, now, result);
    }
    const still = blamed.lines.get(commit.hash) ?? 0;
    reworked.set(commit.hash, reworked.get(commit.hash)! + Math.max(0, added - still));
  });
  return reworked;
}

function blame(options: SurvivalOptions & { gitBin: string }, rev: string, path: string, result: SurvivalResult): Promise<BlameCount> {
  options.onBlame?.('rework', rev, path);
  result.reworkBlames++;
  return blameCount({ cwd: options.path, rev, path, gitBin: options.gitBin });
}

/** The branch's first-parent history, oldest first: hash, first parent, commit time. */
function readFirstParent(cwd: string, tip: string, gitBin: string): FirstParentCommit[] {
  const out: FirstParentCommit[] = [];
  for (const line of gitLines(cwd, ['log', '--first-parent', '--reverse', '--format=%H %ct %P', tip, '--'], gitBin, '\n')) {
    const [hash, seconds, parent] = line.split(' ');
    out.push({ hash: hash!, parent: parent ?? '', timeMs: Number(seconds) * 1000 });
  }
  return out;
}

/** Old path → new path for the renames between two commits. */
function renamesBetween(cwd: string, from: string, to: string, gitBin: string): Map<string, string> {
  const parts = gitLines(cwd, ['diff', '-z', '-M', '--name-status', '--diff-filter=R', from, to, '--'], gitBin);
  const map = new Map<string, string>();
  for (let i = 0; i + 2 < parts.length; i += 3) map.set(parts[i + 1]!, parts[i + 2]!);
  return map;
}

/** A git command's output split on `sep` (NUL by default), without empty parts. */
function gitLines(cwd: string, args: readonly string[], gitBin: string, sep = '\0'): string[] {
  const r = spawnSync(gitBin, ['-c', 'core.quotePath=false', ...args], {
    cwd, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`git ${args[0]} failed (exit ${r.status}): ${r.stderr.split('\n').find(Boolean) ?? ''}`);
  return r.stdout.split(sep).map((s) => (sep === '\0' ? s.replace(/^\n+/, '') : s)).filter(Boolean);
}
