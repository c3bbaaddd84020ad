import type { ClickHouseClient } from '@clickhouse/client';
import { GIT_COMMIT_FILES, GIT_COMMITS, GIT_SYNC_STATE, writeRows, type GitCommitFileRow, type GitCommitRow, type Store } from '@fulcrum/store';
import { capId, capText, type Redact } from '../normalise/caps.js';

/**
 * Commit facts as `fulcrum git sync` reads them from a repository and sends
 * them (to the store, or as JSON to POST /api/git/commits). Only facts travel:
 * the author's email as a hash, agents and session ids taken from trailers,
 * the subject line; never the message body or the author's name.
 */
export interface GitCommitFacts {
  hash: string;
  parents: string[];
  /** Milliseconds since the epoch. */
  authorTime: number;
  commitTime: number;
  /** SHA-256 hex of the lowercased, trimmed author email; '' when none. */
  authorEmailHash: string;
  /** 0 when none. */
  pullRequest: number;
  /** Harness names: claude-code, codex, gemini-cli. */
  agentCoAuthors: string[];
  sessionIds: string[];
  revertsHash: string;
  subject: string;
  linesAdded: number;
  linesRemoved: number;
  filesChanged: number;
  /** False for a PR commit a merge brought in (its lines count on the merge). @default true */
  mainline?: boolean;
  /** For a commit that is not mainline: the merge that landed it. @default '' */
  landedIn?: string;
}

/** One file a commit changed. A commit's files may travel in a later batch than the commit. */
export interface GitFileFacts {
  hash: string;
  authorTime: number;
  commitTime: number;
  path: string;
  /** The path before a rename or copy; '' otherwise. */
  oldPath: string;
  linesAdded: number;
  linesRemoved: number;
  binary: boolean;
}

export interface GitBatch {
  commits: GitCommitFacts[];
  files: GitFileFacts[];
}

export interface GitRowContext {
  project: string;
  repository: string;
  branch: string;
  /** Replaces secrets in subjects, paths and session ids. @default undefined (none) */
  redact?: Redact;
  /** The rows' version: a later sync of the same commit replaces them. @default Date.now() */
  syncedAt?: number;
}

/** Harness names a commit can credit; anything else a client sends is dropped. */
export const AGENT_HARNESSES = ['claude-code', 'codex', 'gemini-cli'] as const;

/** Longest subject kept (characters), after redaction. */
export const MAX_SUBJECT = 512;
/** Longest path kept as sent; a longer one is stored as `h:` and a hash of it, so its rows still group. */
export const MAX_PATH = 4096;
/** Longest repository or branch name kept. */
export const MAX_NAME = 256;
/** Session ids kept per commit, and the longest kept as sent. */
export const MAX_SESSION_IDS = 16;
export const MAX_SESSION_ID = 256;
/** Parents kept per commit (an octopus merge has many; none has this many). */
export const MAX_PARENTS = 64;

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ABBREVIATED_ID = /^[0-9a-f]{7,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const UINT32_MAX = 0xffff_ffff;
// DateTime64(3) holds 1900-01-01 to 2299-12-31; a commit date outside it (a forged or broken one) is clamped.
const MIN_MS = -2_208_988_800_000;
const MAX_MS = 10_413_791_999_999;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const uint32 = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(UINT32_MAX, Math.max(0, Math.trunc(v))) : 0);
const millis = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(MAX_MS, Math.max(MIN_MS, Math.trunc(v))) : 0);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A full object id as stored (lowercase hex), or undefined when the value is not one. */
export function objectId(v: unknown): string | undefined {
  const s = str(v).toLowerCase();
  return OBJECT_ID.test(s) ? s : undefined;
}

/** A file path as stored: redacted, and hashed when over-long (so it stays one key). */
export function storedPath(v: string, redact?: Redact): string {
  return capId(v, MAX_PATH, redact);
}

/** A repository or branch name as stored: redacted, capped; '' when absent. */
export function storedName(v: string, redact?: Redact): string {
  return capText(v.trim(), MAX_NAME, redact);
}

/**
 * Commit and file facts (trusted or not: a server gets them as JSON) as rows:
 * hashes must be full hex object ids (an item without one is rejected and
 * counted), numbers are clamped to their columns, free text is redacted and
 * capped, agents are kept only when they are a known harness, and IsMerge is
 * decided from the parents, not taken from the sender.
 */
export function gitRows(batch: { commits?: unknown; files?: unknown }, ctx: GitRowContext): { commits: GitCommitRow[]; files: GitCommitFileRow[]; rejected: number } {
  const syncedAt = ctx.syncedAt ?? Date.now();
  const base = { Project: ctx.project, Repository: storedName(ctx.repository, ctx.redact), Branch: storedName(ctx.branch, ctx.redact) };
  const redact = ctx.redact;
  let rejected = 0;
  const commits: GitCommitRow[] = [];
  for (const c of Array.isArray(batch.commits) ? (batch.commits as Partial<Record<keyof GitCommitFacts, unknown>>[]) : []) {
    const hash = objectId(c?.hash);
    if (!hash) {
      rejected++;
      continue;
    }
    const parents = strings(c.parents).map(objectId).filter((p): p is string => p !== undefined).slice(0, MAX_PARENTS);
    const reverts = str(c.revertsHash).toLowerCase();
    const emailHash = str(c.authorEmailHash).toLowerCase();
    commits.push({
      ...base,
      Hash: hash,
      ParentHashes: parents,
      AuthorTime: millis(c.authorTime),
      CommitTime: millis(c.commitTime),
      AuthorEmailHash: SHA256_HEX.test(emailHash) ? emailHash : '',
      IsMerge: parents.length > 1,
      Mainline: c.mainline !== false,
      LandedIn: c.mainline === false ? objectId(c.landedIn) ?? '' : '',
      PullRequest: uint32(c.pullRequest),
      AgentCoAuthors: [...new Set(strings(c.agentCoAuthors).filter((a) => (AGENT_HARNESSES as readonly string[]).includes(a)))],
      SessionIds: [...new Set(strings(c.sessionIds).map((s) => s.trim()).filter(Boolean).slice(0, MAX_SESSION_IDS).map((s) => capId(s, MAX_SESSION_ID, redact)))],
      RevertsHash: ABBREVIATED_ID.test(reverts) ? reverts : '',
      Subject: capText(str(c.subject), MAX_SUBJECT, redact),
      LinesAdded: uint32(c.linesAdded),
      LinesRemoved: uint32(c.linesRemoved),
      FilesChanged: uint32(c.filesChanged),
      SyncedAt: syncedAt,
    });
  }
  const files: GitCommitFileRow[] = [];
  for (const f of Array.isArray(batch.files) ? (batch.files as Partial<Record<keyof GitFileFacts, unknown>>[]) : []) {
    const hash = objectId(f?.hash);
    const path = str(f?.path);
    if (!hash || path === '') {
      rejected++;
      continue;
    }
    const oldPath = str(f.oldPath);
    files.push({
      ...base,
      Hash: hash,
      AuthorTime: millis(f.authorTime),
      CommitTime: millis(f.commitTime),
      Path: storedPath(path, redact),
      OldPath: oldPath === '' ? '' : storedPath(oldPath, redact),
      LinesAdded: uint32(f.linesAdded),
      LinesRemoved: uint32(f.linesRemoved),
      Binary: f.binary === true,
      SyncedAt: syncedAt,
    });
  }
  return { commits, files, rejected };
}

/** Writes commit and file rows (RowBinary, one INSERT per table). */
export async function writeGitRows(store: Store, rows: { commits: readonly GitCommitRow[]; files: readonly GitCommitFileRow[] }): Promise<void> {
  await writeRows(store, GIT_COMMITS, rows.commits);
  await writeRows(store, GIT_COMMIT_FILES, rows.files);
}

/** How far a branch was last synced completely. */
export interface GitSyncState {
  tipHash: string;
  /** Milliseconds; 0 when the sync read all history. */
  coveredSince: number;
}

/** Records that a branch is synced completely up to `tipHash` (from `coveredSince` on). */
export async function writeGitSyncState(store: Store, ctx: Omit<GitRowContext, 'syncedAt'>, state: GitSyncState): Promise<void> {
  const hash = objectId(state.tipHash);
  if (!hash) throw new RangeError('tip must be a full object id');
  await writeRows(store, GIT_SYNC_STATE, [{
    Project: ctx.project, Repository: storedName(ctx.repository, ctx.redact), Branch: storedName(ctx.branch, ctx.redact),
    TipHash: hash, CoveredSince: millis(state.coveredSince), SyncedAt: Date.now(),
  }]);
}

/** The branch's last complete sync, or undefined when it was never synced. */
export async function readGitSyncState(client: ClickHouseClient, ctx: Omit<GitRowContext, 'syncedAt'>): Promise<GitSyncState | undefined> {
  const rs = await client.query({
    query: `SELECT TipHash, toUnixTimestamp64Milli(CoveredSince) AS since FROM ${GIT_SYNC_STATE.name} FINAL
WHERE Project = {project:String} AND Repository = {repository:String} AND Branch = {branch:String} LIMIT 1`,
    query_params: { project: ctx.project, repository: storedName(ctx.repository, ctx.redact), branch: storedName(ctx.branch, ctx.redact) },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<{ TipHash: string; since: string | number }>())[0];
  return row ? { tipHash: row.TipHash, coveredSince: Number(row.since) } : undefined;
}
