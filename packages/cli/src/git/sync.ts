import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { GitBatch, GitCommitFacts, GitFileFacts, GitSyncState } from '@fulcrum/ingest';
import { commitFacts } from './commit-facts.js';
import { LOG_FORMAT, LogParser, type LoggedCommit } from './log-parser.js';
import { countCommits, isAncestor, resolveCommit } from './repo.js';
import type { SurvivalData } from '@fulcrum/query';
import { updateSurvival, type SurvivalOptions, type SurvivalResult } from './blame-survival.js';

/** Where synced commits go: the store, or a server's API. */
export interface GitSink {
  /** How far this branch was synced before, if ever. */
  readState(): Promise<GitSyncState | undefined>;
  /** The branch's survival state and figures, where the commits go. */
  survival: SurvivalData;
  /** Writes a batch; `tip` comes with the last one, once every commit before it is written (and sessions are then linked). */
  write(batch: GitBatch, tip?: GitSyncState): Promise<{ commits: number; files: number; rejected: number; linked?: LinkCounts }>;
}

export interface SyncOptions {
  /** The repository's directory (checked already: see checkRepository). */
  path: string;
  /** The ref to walk, e.g. refs/remotes/origin/main. */
  ref: string;
  sink: GitSink;
  /** Read only commits made since then (git's --since, on commit time), in ms. @default undefined (all history) */
  sinceMs?: number;
  /** Commits plus files per batch written. @default 10000 */
  batchItems?: number;
  /** Approximate bytes per batch (paths and subjects): a batch is written once it passes this. @default 4194304 (4 MiB) */
  batchBytes?: number;
  /** Called with commits read so far; `total` is counted first (one quick rev-list) only when this is given. @default undefined */
  onProgress?: (done: number, total: number) => void;
  /** @default 'git' */
  gitBin?: string;
  /** Recompute survival and rework (git blame, incremental) where the sink writes, after the commits are written. @default undefined (not computed) */
  survival?: Pick<SurvivalOptions, 'nowMs' | 'concurrency' | 'onBlame'>;
}

/** Sessions linked to the synced branch's commits, by rule (docs/outcomes.md). */
export interface LinkCounts {
  trailer: number;
  commit: number;
  files: number;
}

export interface SyncResult {
  /** Commits of the branch's first-parent history and their files, read from git and written. */
  commits: number;
  files: number;
  /** PR commits merges brought in (stored for linking; their lines count on the merge). */
  prCommits: number;
  /** Items the store refused (a malformed hash): none from a real repository. */
  rejected: number;
  /** The tip the branch is now synced to; undefined for a branch without commits. */
  tip?: string;
  /** The tip a previous sync reached, when this one read only what came after it. */
  since?: string;
  /** What the survival run blamed and wrote, when options.survival was given. */
  survival?: SurvivalResult;
  /** The (commit, session) links the sync's link run found, when the sink reports them. */
  linked?: LinkCounts;
}

/**
 * Streams the branch's history out of `git log` and writes it in batches.
 *
 * Pass 1 reads the first-parent history with its numstat, newest first: what
 * landed on the branch, each commit once. A squash or rebase merge is its own
 * commit; a true merge is one commit whose diff is against its first parent
 * (the whole PR, `--diff-merges=first-parent`). Renames are detected (-M) and
 * recorded with both paths. Summing these rows' lines counts no line twice.
 *
 * Pass 2 runs only when merges landed: it reads, oldest first and without
 * diffs, the PR commits those merges brought in, stores each (Mainline false,
 * LandedIn the merge) so a session that names its commit's hash still finds
 * it, and gives each merge its PR commits' agent co-authors and session ids.
 * It holds the first-parent hashes (about 100 bytes each) and the PR commits
 * not merged yet; everything else streams.
 *
 * A branch synced before is read only from its previous tip on, when that tip
 * is still on the branch and the earlier sync reached at least as far back as
 * this one asks. The tip is recorded after the last batch, so an interrupted
 * sync starts over (and rewrites what it had written: the tables replace
 * rows by key).
 */
export async function syncBranch(options: SyncOptions): Promise<SyncResult> {
  const result = await syncCommits(options);
  // Survival reads the commits just written, and runs even when none are new: commits age into their windows.
  if (options.survival && result.tip) {
    // Its last step materialises the sessions' outcomes again, so they include what it moved.
    result.survival = await updateSurvival({ ...options.survival, data: options.sink.survival, path: options.path, tip: result.tip, gitBin: options.gitBin });
  }
  return result;
}

async function syncCommits(options: SyncOptions): Promise<SyncResult> {
  const { path, ref, sink, gitBin } = options;
  const tip = resolveCommit(path, ref, gitBin);
  if (!tip) return { commits: 0, files: 0, prCommits: 0, rejected: 0 };
  const since = options.sinceMs === undefined ? undefined : new Date(options.sinceMs).toISOString();
  const requestedSince = options.sinceMs ?? 0;
  const previous = await sink.readState();
  const incremental = previous !== undefined && previous.coveredSince <= requestedSince && isAncestor(path, previous.tipHash, tip, gitBin);
  const revs = incremental ? [tip, `^${previous.tipHash}`] : [tip];
  const covered: GitSyncState = { tipHash: tip, coveredSince: incremental ? previous.coveredSince : requestedSince };
  const result: SyncResult = { commits: 0, files: 0, prCommits: 0, rejected: 0, tip, since: incremental ? previous.tipHash : undefined };
  if (incremental && previous.tipHash === tip) {
    result.linked = (await sink.write({ commits: [], files: [] }, covered)).linked;
    return result;
  }
  const total = options.onProgress ? countCommits(path, revs, since, gitBin) : 0;
  const maxItems = options.batchItems ?? 10_000;
  const maxBytes = options.batchBytes ?? 4 * 1024 * 1024;

  const base = ['-c', 'log.showSignature=false', '-c', 'core.quotePath=false', 'log', '--no-color', '--encoding=UTF-8', `--format=${LOG_FORMAT}`, ...(since ? [`--since=${since}`] : [])];
  const gitBinary = gitBin ?? 'git';

  let batch: GitBatch = { commits: [], files: [] };
  let bytes = 0;
  // One write in flight while the next batch is parsed: git, the parser and the store work at once, and memory holds two batches.
  let writing: Promise<void> | undefined;
  const flush = async (last: boolean) => {
    await writing;
    const sending = batch;
    batch = { commits: [], files: [] };
    bytes = 0;
    writing = sink.write(sending, last ? covered : undefined).then((written) => {
      result.rejected += written.rejected;
      if (written.linked) result.linked = written.linked;
    });
    // A failed write fails the sync at the next flush; nothing waits on it unhandled meanwhile.
    writing.catch(() => undefined);
    if (last) await writing;
  };
  const add = async (commit: GitCommitFacts | undefined, files: readonly GitFileFacts[]) => {
    if (commit) {
      batch.commits.push(commit);
      bytes += 200 + commit.subject.length;
    }
    for (const f of files) {
      batch.files.push(f);
      bytes += 120 + f.path.length + f.oldPath.length;
    }
    if (batch.commits.length + batch.files.length >= maxItems || bytes >= maxBytes) await flush(false);
  };

  try {
    // Pass 1: the first-parent history with its numstat, newest first: every row whose lines landed.
    const mainline = new Set<string>();
    const merges = new Map<string, GitCommitFacts>();
    await streamLog(gitBinary, path, [...base, '--first-parent', '--diff-merges=first-parent', '--numstat', '-z', '-M', '--no-ext-diff', ...revs, '--'], async (logged) => {
      for (const c of logged) {
        const { commit, files } = commitFacts(c);
        mainline.add(commit.hash);
        result.commits++;
        result.files += files.length;
        // A merge's row waits for pass 2, which adds what its PR's commits say; its files are final now.
        if (commit.parents.length > 1) merges.set(commit.hash, commit);
        await add(commit.parents.length > 1 ? undefined : commit, files);
      }
      if (logged.length) options.onProgress?.(result.commits, Math.max(total, result.commits));
    });

    // Pass 2, only when merges landed: the PR commits they brought in, oldest first, without diffs.
    // A PR commit waits until the first merge that reaches it from a non-first parent: that merge landed it.
    if (merges.size > 0) {
      const waiting = new Map<string, GitCommitFacts>();
      await streamLog(gitBinary, path, [...base, '--topo-order', '--reverse', '--no-patch', ...revs, '--'], async (logged) => {
        for (const c of logged) {
          if (!mainline.has(c.hash)) {
            waiting.set(c.hash, { ...commitFacts({ ...c, files: [] }).commit, mainline: false });
            continue;
          }
          const merge = merges.get(c.hash);
          if (!merge) continue;
          merges.delete(c.hash);
          const brought = takeReachable(waiting, merge.parents.slice(1));
          const agents = new Set(merge.agentCoAuthors);
          const sessions = new Set(merge.sessionIds);
          for (const side of brought) {
            side.landedIn = merge.hash;
            for (const a of side.agentCoAuthors) agents.add(a);
            for (const id of side.sessionIds) sessions.add(id);
            await add(side, []);
          }
          result.prCommits += brought.length;
          await add({ ...merge, agentCoAuthors: [...agents], sessionIds: [...sessions] }, []);
        }
      });
    }
    // (Pass 2 meets every merge pass 1 did; any it did not is written as it is.)
    for (const merge of merges.values()) await add(merge, []);
    await flush(true);
  } catch (err) {
    // Let a write in flight settle before the caller closes the store.
    await writing?.catch(() => undefined);
    throw err;
  }
  return result;
}

/** Removes from `waiting` every commit reachable from `from` through waiting commits, and returns them. */
function takeReachable(waiting: Map<string, GitCommitFacts>, from: readonly string[]): GitCommitFacts[] {
  const out: GitCommitFacts[] = [];
  const stack = [...from];
  for (let h = stack.pop(); h !== undefined; h = stack.pop()) {
    const c = waiting.get(h);
    if (!c) continue;
    waiting.delete(h);
    out.push(c);
    stack.push(...c.parents);
  }
  return out;
}

/** Runs git log and hands its commits to `take` as they are parsed; git waits while `take` writes. */
async function streamLog(gitBin: string, cwd: string, args: readonly string[], take: (logged: LoggedCommit[]) => Promise<void>): Promise<void> {
  const child = spawn(gitBin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat' } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
  const parser = new LogParser();
  const decoder = new StringDecoder('utf8');
  try {
    // for-await pauses git while a batch is written: memory stays at one batch.
    for await (const chunk of child.stdout) await take(parser.push(decoder.write(chunk as Buffer)));
    await take(parser.push(decoder.end()));
    await take(parser.end());
  } catch (err) {
    child.kill();
    throw err;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`git log failed (exit ${code}): ${stderr.split('\n').find(Boolean) ?? ''}`);
}
