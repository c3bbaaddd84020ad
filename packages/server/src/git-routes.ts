import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { linkSessionsToCommits } from '@fulcrum/query';
import { answerError, errorBody, FulcrumError as IngestError, type ErrorName } from '@fulcrum/vocab';
import { gitRows, objectId, readGitSyncState, storedName, writeGitRows, writeGitSyncState } from '@fulcrum/ingest';
import { survivalCall } from './survival-ops.js';

export interface GitRoutesOptions {
  /** Largest body of POST /api/git/commits, in bytes (after decompression). @default 16777216 (16 MiB) */
  bodyLimit?: number;
  /** Most commits plus files in one request; `fulcrum git sync` sends 10,000 at a time. @default 50000 */
  maxItems?: number;
}

interface CommitsBody {
  repository?: unknown;
  branch?: unknown;
  commits?: unknown;
  files?: unknown;
  /** When sent, it must be the request's own project (the API key's). */
  project?: unknown;
  /** Sent with the last batch of a complete sync: the branch is stored up to this tip. */
  tip?: { hash?: unknown; coveredSince?: unknown; root?: unknown };
}

const BODY_SHAPE = 'send a JSON body {"repository": "...", "branch": "...", "commits": [...], "files": [...]}';

function parseBody(req: FastifyRequest): CommitsBody {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : String(req.body ?? ''));
  } catch {
    throw new IngestError('MALFORMED_BODY', BODY_SHAPE);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new IngestError('BAD_REQUEST', BODY_SHAPE);
  return body as CommitsBody;
}

/** repository and branch: required names; the answer never quotes them back. */
function names(repository: unknown, branch: unknown): { repository: string; branch: string } {
  if (typeof repository !== 'string' || repository.trim() === '') throw new IngestError('BAD_REQUEST', 'repository is required');
  if (typeof branch !== 'string' || branch.trim() === '') throw new IngestError('BAD_REQUEST', 'branch is required');
  return { repository, branch };
}

/**
 * Commit facts from `fulcrum git sync --server`, for the request's project
 * (its API key's, when keys are on):
 *
 *   POST /api/git/commits  {repository, branch, commits, files, tip?, project?}  → {commits, files, rejected, linked? (with tip)}
 *   GET  /api/git/sync-state?repository=R&branch=B                      → {tipHash, coveredSince} or {}
 *   POST /api/git/survival {repository, branch, op, args}               → the call's answer (git/survival-ops.ts):
 *        the survival run's reads and writes, so a sync through a server computes survival and rework
 *        (git blame runs where the repository is, the CLI's machine).
 *
 * Rows are validated, capped and redacted as the CLI's own writes are
 * (git/commit-rows.ts). A request names its repository and branch once; a
 * batch that brings `tip` records the branch as synced up to it, so the next
 * sync reads only what is newer. Commits replace the stored ones (ReplacingMergeTree),
 * so a retried request adds nothing.
 */
async function git(app: FastifyInstance, options: GitRoutesOptions): Promise<void> {
  const bodyLimit = options.bodyLimit ?? 16 * 1024 * 1024;
  const maxItems = options.maxItems ?? 50_000;
  await app.register(async (scoped) => {
    scoped.setErrorHandler((err: Error & { code?: string; statusCode?: number; validation?: unknown }, req, reply) => {
      const tooLarge = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
      const malformed = err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR';
      const known: ErrorName | undefined = tooLarge ? 'BODY_TOO_LARGE' : malformed ? 'MALFORMED_BODY' : err.validation ? 'BAD_REQUEST' : undefined;
      const answer = answerError(known ? new IngestError(known) : err, { retryAfterSeconds: scoped.retryAfterSeconds });
      if (answer.status >= 500) req.log.error({ err, errorId: answer.errorId }, 'git commits request failed');
      if (answer.retryAfterSeconds !== undefined) void reply.header('retry-after', String(answer.retryAfterSeconds));
      return reply.code(answer.status).send(errorBody(answer));
    });

    scoped.post('/api/git/commits', { bodyLimit }, async (req) => {
      const body = parseBody(req);
      const { repository, branch } = names(body.repository, body.branch);
      const items = (Array.isArray(body.commits) ? body.commits.length : 0) + (Array.isArray(body.files) ? body.files.length : 0);
      if (items > maxItems) throw new IngestError('BAD_REQUEST', `at most ${maxItems} commits and files per request, got ${items}`);
      const project = scoped.projectOf(req);
      if (body.project !== undefined && body.project !== project) {
        // Said plainly, without quoting the name sent: a key of another project is not a wrong key.
        throw new IngestError('WRONG_PROJECT', req.fulcrumProject ? `the API key is for project "${project}", not another project` : `without an API key this server takes commits for project "${project}" only`);
      }
      const ctx = { project, repository, branch, redact: scoped.sanitiseOptions.redact };
      const rows = gitRows(body, ctx);
      await writeGitRows(scoped.store, rows);
      if (body.tip !== undefined) {
        const tip = objectId(body.tip?.hash);
        if (!tip) throw new IngestError('BAD_REQUEST', 'tip.hash must be a full object id');
        const since = typeof body.tip.coveredSince === 'number' && Number.isFinite(body.tip.coveredSince) ? body.tip.coveredSince : 0;
        await writeGitSyncState(scoped.store, ctx, { tipHash: tip, coveredSince: since });
        // The sync is complete: link sessions to what landed. The client's working tree is used for matching only, never stored.
        const root = typeof body.tip.root === 'string' && body.tip.root.length <= 4096 ? body.tip.root : undefined;
        const linked = await linkSessionsToCommits(scoped.store, { ...ctx, root });
        return { commits: rows.commits.length, files: rows.files.length, rejected: rows.rejected, linked: { trailer: linked.trailer, commit: linked.commit, files: linked.files } };
      }
      return { commits: rows.commits.length, files: rows.files.length, rejected: rows.rejected };
    });

    scoped.post('/api/git/survival', { bodyLimit }, async (req) => {
      const body = parseBody(req) as { repository?: unknown; branch?: unknown; op?: unknown; args?: unknown };
      const { repository, branch } = names(body.repository, body.branch);
      const redact = scoped.sanitiseOptions.redact;
      const target = { project: scoped.projectOf(req), repository: storedName(repository, redact), branch: storedName(branch, redact) };
      return { result: await survivalCall(scoped.store, target, redact)(body.op, body.args) };
    });

    scoped.get('/api/git/sync-state', async (req) => {
      const q = req.query as { repository?: unknown; branch?: unknown };
      const { repository, branch } = names(q.repository, q.branch);
      const state = await readGitSyncState(scoped.store.client, { project: scoped.projectOf(req), repository, branch, redact: scoped.sanitiseOptions.redact });
      return state ?? {};
    });
  });
}

export const gitRoutes = fp(git, { name: 'fulcrum-git', fastify: '5.x', dependencies: ['fulcrum-auth'] });
