import { gitRows, readGitSyncState, storedPath, writeGitRows, writeGitSyncState, type GitBatch, type GitSyncState } from '@fulcrum/ingest';
import type { Store } from '@fulcrum/store';
import { linkSessionsToCommits, storeSurvivalData, type SurvivalData } from '@fulcrum/query';
import { UsageError } from '../errors.js';
import type { GitSink } from './sync.js';

export interface SinkTarget {
  project: string;
  repository: string;
  branch: string;
  /** Replaces secrets in subjects, paths and session ids. @default undefined (none) */
  redact?: (s: string) => string;
  /** The repository's working tree (absolute): links sessions whose edits name files under it. @default undefined */
  root?: string;
}

/** Writes into a store the CLI opened (rows validated, capped and redacted as the server's route does). */
export function storeSink(store: Store, target: SinkTarget): GitSink {
  return {
    survival: storeSurvivalData(store, target, (p) => storedPath(p, target.redact)),
    readState: () => readGitSyncState(store.client, target),
    async write(batch, tip) {
      const rows = gitRows(batch, target);
      await writeGitRows(store, rows);
      if (!tip) return { commits: rows.commits.length, files: rows.files.length, rejected: rows.rejected };
      await writeGitSyncState(store, target, tip);
      const linked = await linkSessionsToCommits(store, target); // a complete sync: link sessions to what landed
      return { commits: rows.commits.length, files: rows.files.length, rejected: rows.rejected, linked: { trailer: linked.trailer, commit: linked.commit, files: linked.files } };
    },
  };
}

export interface ServerSinkOptions {
  /** Bearer key for a server that requires one. @default undefined */
  apiKey?: string;
  /** Attempts per request when the server says to wait (429, 503). @default 5 */
  attempts?: number;
  /** Longest wait between attempts, in ms, whatever Retry-After says. @default 30000 */
  maxWaitMs?: number;
}

type Answer = { status: number; body: { error?: { code?: string; message?: string } } & Record<string, unknown> };

/** Why the server refused: no key, an unknown or revoked key. */
function refusal(status: number, message: string | undefined, apiKey: string | undefined): string {
  if (!apiKey) return 'it requires an API key: pass --api-key or set FULCRUM_API_KEY';
  if (status === 403) return message ?? 'the API key was revoked (see fulcrum keys list)';
  return 'the server knows no such API key (mistyped, or created for another server or store)';
}

/** Sends batches to POST /api/git/commits of a running server; the project is the API key's. */
export function serverSink(server: URL, target: SinkTarget, options: ServerSinkOptions = {}): GitSink {
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
  const attempts = options.attempts ?? 5;
  const maxWaitMs = options.maxWaitMs ?? 30_000;

  async function request(method: 'GET' | 'POST', url: URL, body?: string): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body });
      } catch (err) {
        throw new UsageError(`cannot reach ${server.origin}: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
      }
      const parsed = ((await res.json().catch(() => undefined)) ?? {}) as Answer['body'];
      if ((res.status === 429 || res.status === 503) && attempt < attempts) {
        const wait = Math.min(maxWaitMs, 1000 * (Number(res.headers.get('retry-after')) || 1));
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      if (res.status === 401 || res.status === 403) throw new UsageError(`${server.origin} refused the request (${res.status}): ${refusal(res.status, parsed.error?.message, options.apiKey)}`);
      if (res.status === 404) throw new UsageError(`${server.origin} has no git API (${url.pathname}): is it a fulcrum server of this version?`);
      if (res.status >= 400 && res.status < 500) throw new UsageError(`${server.origin} refused a batch (${res.status}): ${parsed.error?.message ?? ''}`);
      if (!res.ok) throw new Error(`${server.origin} answered ${res.status}: ${parsed.error?.message ?? ''}`);
      return { status: res.status, body: parsed };
    }
  }

  const call = async <T>(op: keyof SurvivalData, args: Record<string, unknown> = {}): Promise<T> => {
    const { body } = await request('POST', new URL('/api/git/survival', server), JSON.stringify({ repository: target.repository, branch: target.branch, op, args }));
    return body.result as T;
  };
  const redactPath = (p: string) => (target.redact ? target.redact(p) : p);
  // The survival run's calls, answered by the server's store (git/survival-ops.ts in ingest).
  const survival: SurvivalData = {
    state: async () => (await call<{ tip: string; at: number } | null>('state')) ?? undefined,
    storedPaths: () => call('storedPaths'),
    originsOf: (paths) => call('originsOf', { paths: paths.map(redactPath) }),
    commitFigures: (hashes) => call('commitFigures', { hashes }),
    addedFiles: (hashes) => call('addedFiles', { hashes }),
    changesOf: (paths) => call('changesOf', { paths: paths.map(redactPath) }),
    writeOrigins: (tip, nowMs, rows) => call('writeOrigins', { tip, nowMs, rows: rows.map((r) => ({ ...r, path: redactPath(r.path) })) }),
    writeSurvival: (nowMs, rows) => call('writeSurvival', { nowMs, rows }),
    finish: (tip, nowMs) => call('finish', { tip, nowMs }),
  };

  return {
    survival,
    async readState() {
      const url = new URL('/api/git/sync-state', server);
      url.searchParams.set('repository', target.repository);
      url.searchParams.set('branch', target.branch);
      const { body } = await request('GET', url);
      return typeof body.tipHash === 'string' ? { tipHash: body.tipHash, coveredSince: Number(body.coveredSince) || 0 } : undefined;
    },
    async write(batch: GitBatch, tip?: GitSyncState) {
      // Secrets are redacted before they leave this machine; the server redacts and caps again.
      const redact = target.redact;
      const commits = redact ? batch.commits.map((c) => ({ ...c, subject: redact(c.subject), sessionIds: c.sessionIds.map(redact) })) : batch.commits;
      const files = redact ? batch.files.map((f) => ({ ...f, path: redact(f.path), oldPath: f.oldPath && redact(f.oldPath) })) : batch.files;
      const payload = JSON.stringify({ repository: target.repository, branch: target.branch, ...(target.project ? { project: target.project } : {}), commits, files, ...(tip ? { tip: { hash: tip.tipHash, coveredSince: tip.coveredSince, ...(target.root ? { root: target.root } : {}) } } : {}) });
      const { body } = await request('POST', new URL('/api/git/commits', server), payload);
      const linked = body.linked && typeof body.linked === 'object' ? (body.linked as Record<string, unknown>) : undefined;
      return {
        commits: Number(body.commits) || 0, files: Number(body.files) || 0, rejected: Number(body.rejected) || 0,
        ...(linked ? { linked: { trailer: Number(linked.trailer) || 0, commit: Number(linked.commit) || 0, files: Number(linked.files) || 0 } } : {}),
      };
    },
  };
}
