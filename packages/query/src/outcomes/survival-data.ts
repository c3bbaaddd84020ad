import { GIT_COMMIT_SURVIVAL, GIT_LINE_ORIGINS, GIT_SURVIVAL_STATE, writeRows, type Store } from '@fulcrum/store';
import { selectRows } from '../sql.js';
import { materialiseOutcomes } from './materialise.js';

/** One synced branch. */
export interface SurvivalTarget {
  project: string;
  repository: string;
  branch: string;
}

/** Lines a commit owns in a file at the tip (`git blame --first-parent`). */
export interface LineOrigin {
  path: string;
  originHash: string;
  lines: number;
}

/** A Mainline commit's survival row: NULL figures are not due yet. */
export interface CommitSurvival {
  hash: string;
  linesAdded: number;
  surviving30d: number | null;
  reworked21d: number | null;
}

/**
 * What the survival run (`fulcrum git sync`, packages/cli/src/git/blame-survival.ts) reads and writes
 * of one branch. The git side runs where the repository is; this side is the store, reached directly
 * (storeSurvivalData) or through a server's POST /api/git/survival, which calls storeSurvivalData on
 * its own store, so a sync through a server computes survival too.
 */
export interface SurvivalData {
  /** The tip and time (ms) of the last survival run, if any. */
  state(): Promise<{ tip: string; at: number } | undefined>;
  /** Files that own lines at the last run's tip. */
  storedPaths(): Promise<string[]>;
  /** Commits owning lines in these files at the last run's tip. */
  originsOf(paths: string[]): Promise<{ path: string; originHash: string }[]>;
  writeOrigins(tip: string, nowMs: number, rows: LineOrigin[]): Promise<void>;
  /** Per Mainline commit: lines added, commit time, lines owned at the tip, and rework stored before. */
  commitFigures(hashes: string[]): Promise<{ hash: string; linesAdded: number; timeMs: number; lines: number; reworked: number | null }[]>;
  /** Text files the commits added lines to. */
  addedFiles(hashes: string[]): Promise<{ hash: string; path: string; linesAdded: number }[]>;
  /** Commits that changed these files (as path or rename source). */
  changesOf(paths: string[]): Promise<{ hash: string; path: string; oldPath: string }[]>;
  writeSurvival(nowMs: number, rows: CommitSurvival[]): Promise<void>;
  /** Records the run and materialises the sessions' outcomes with it. */
  finish(tip: string, nowMs: number): Promise<void>;
}

const WHERE = 'Project = {p:String} AND Repository = {r:String} AND Branch = {b:String}';

/**
 * SurvivalData on a store: bound parameters, scoped to the target's project. `redactPath` is applied
 * to every path written or looked up, as the commits' paths were redacted when stored, so they match.
 */
export function storeSurvivalData(store: Store, target: SurvivalTarget, redactPath: (path: string) => string = (p) => p): SurvivalData {
  const key = { p: target.project, r: target.repository, b: target.branch };
  const rows = <T>(sql: string, params: Record<string, unknown> = {}) => selectRows<T>(store.client, sql, { ...key, ...params });
  const scope = { Project: target.project, Repository: target.repository, Branch: target.branch };
  return {
    async state() {
      const [s] = await rows<{ tip: string; at: number }>(`SELECT TipHash AS tip, toUnixTimestamp64Milli(ComputedAt) AS at FROM git_survival_state FINAL WHERE ${WHERE}`);
      return s ? { tip: s.tip, at: Number(s.at) } : undefined;
    },
    async storedPaths() {
      return (await rows<{ Path: string }>(`SELECT DISTINCT Path FROM git_line_origins FINAL WHERE ${WHERE} AND Lines > 0`)).map((r) => r.Path);
    },
    async originsOf(paths) {
      const found = await rows<{ Path: string; OriginHash: string }>(`SELECT Path, OriginHash FROM git_line_origins FINAL WHERE ${WHERE} AND Path IN {paths:Array(String)} AND Lines > 0`, { paths: paths.map(redactPath) });
      return found.map((o) => ({ path: o.Path, originHash: o.OriginHash }));
    },
    async writeOrigins(tip, nowMs, origins) {
      await writeRows(store, GIT_LINE_ORIGINS, origins.map((o) => ({ ...scope, Path: redactPath(o.path), OriginHash: o.originHash, Lines: o.lines, TipHash: tip, ComputedAt: nowMs })));
    },
    async commitFigures(hashes) {
      const found = await rows<{ Hash: string; LinesAdded: number; t: number; lines: number; rework: number | null }>(
        `SELECT c.Hash AS Hash, c.LinesAdded AS LinesAdded, toUnixTimestamp64Milli(c.CommitTime) AS t, o.lines AS lines, s.Reworked21d AS rework
         FROM (SELECT Hash, LinesAdded, CommitTime FROM git_commits FINAL WHERE ${WHERE} AND Mainline AND Hash IN {h:Array(String)}) AS c
         LEFT JOIN (SELECT OriginHash, toUInt32(sum(Lines)) AS lines FROM git_line_origins FINAL WHERE ${WHERE} AND OriginHash IN {h:Array(String)} GROUP BY OriginHash) AS o ON o.OriginHash = c.Hash
         LEFT JOIN (SELECT Hash, Reworked21d FROM git_commit_survival FINAL WHERE ${WHERE} AND Hash IN {h:Array(String)}) AS s ON s.Hash = c.Hash
         SETTINGS join_use_nulls = 0`, { h: hashes });
      return found.map((c) => ({ hash: c.Hash, linesAdded: Number(c.LinesAdded), timeMs: Number(c.t), lines: Number(c.lines), reworked: c.rework === null ? null : Number(c.rework) }));
    },
    async addedFiles(hashes) {
      const found = await rows<{ Hash: string; Path: string; LinesAdded: number }>(
        `SELECT Hash, Path, LinesAdded FROM git_commit_files FINAL WHERE ${WHERE} AND Hash IN {h:Array(String)} AND LinesAdded > 0 AND NOT Binary`, { h: hashes });
      return found.map((f) => ({ hash: f.Hash, path: f.Path, linesAdded: Number(f.LinesAdded) }));
    },
    async changesOf(paths) {
      const found = await rows<{ Hash: string; Path: string; OldPath: string }>(
        `SELECT Hash, Path, OldPath FROM git_commit_files FINAL WHERE ${WHERE} AND (Path IN {paths:Array(String)} OR OldPath IN {paths:Array(String)})`, { paths: paths.map(redactPath) });
      return found.map((c) => ({ hash: c.Hash, path: c.Path, oldPath: c.OldPath }));
    },
    async writeSurvival(nowMs, figures) {
      await writeRows(store, GIT_COMMIT_SURVIVAL, figures.map((c) => ({ ...scope, Hash: c.hash, LinesAdded: c.linesAdded, Surviving30d: c.surviving30d, Reworked21d: c.reworked21d, ComputedAt: nowMs })));
    },
    async finish(tip, nowMs) {
      await writeRows(store, GIT_SURVIVAL_STATE, [{ ...scope, TipHash: tip, ComputedAt: nowMs }]);
      await materialiseOutcomes(store, target);
    },
  };
}
