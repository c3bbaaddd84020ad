import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { validProjectName } from '@fulcrum/vocab';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/keys.js';
import { answerError, errorBody, IngestError } from '../errors.js';

/** The file in an embedded data directory that holds the running server's admin token. */
export const ADMIN_TOKEN_FILE = 'fulcrum.admin-token';
/** The header an admin request carries the token in. */
export const ADMIN_TOKEN_HEADER = 'x-fulcrum-admin-token';

/**
 * Writes a fresh admin token into the data directory, readable by its owner only
 * (mode 0600). Returns the token and a function that removes the file.
 */
export function writeAdminToken(dataDir: string): { token: string; remove(): void } {
  const token = randomBytes(32).toString('base64url');
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  rmSync(path, { force: true }); // a file left by a crashed server may have other permissions
  writeFileSync(path, token + '\n', { mode: 0o600, flag: 'wx' });
  return {
    token,
    remove() {
      try {
        if (readFileSync(path, 'utf8').trim() === token) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/** The admin token of the server holding `dataDir`, or undefined when there is none or it cannot be read. */
export function readAdminToken(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface AdminOptions {
  /** The token admin requests must carry in the x-fulcrum-admin-token header. */
  token: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/**
 * Key management through a running server, for `fulcrum keys` while `fulcrum serve`
 * holds an embedded data directory (libchdb opens a directory in one process
 * only, so the CLI cannot write the key table itself):
 *
 *   POST /api/admin/keys {project, name}   creates a key (the secret is in the answer, once)
 *   GET  /api/admin/keys[?project=P]        lists keys
 *   POST /api/admin/keys/:id/revoke         revokes one
 *
 * Who may call them: a request must come over the loopback interface AND carry
 * the token this server wrote into its data directory at start (mode 0600). So
 * the right to manage keys through the server is exactly the right to manage
 * them without it: being on this machine as a user who can read the data
 * directory. A project API key is not enough (clients hold those: a key would
 * mint keys), nor is "no key exists yet" (whoever reaches the port first
 * would pick the first key and lock everyone else out), nor loopback alone
 * (every local user and every local process would qualify). The project key
 * check (plugins/auth.ts) skips these routes: they check this credential instead.
 */
async function admin(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const expected = sha256(options.token);
  await app.register(async (scoped) => {
    scoped.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
      const answer = err.validation ? answerError(new IngestError('BAD_REQUEST', err.message)) : answerError(err, { retryAfterSeconds: scoped.retryAfterSeconds });
      if (answer.status >= 500) req.log.error({ err, errorId: answer.errorId }, 'admin request failed');
      if (answer.retryAfterSeconds !== undefined) void reply.header('retry-after', String(answer.retryAfterSeconds));
      return reply.code(answer.status).send(errorBody(answer));
    });
    scoped.addHook('onRequest', async (req: FastifyRequest) => {
      if (!isLoopback(req.socket.remoteAddress)) throw new IngestError('ADMIN_ONLY');
      const presented = req.headers[ADMIN_TOKEN_HEADER];
      if (typeof presented !== 'string' || !timingSafeEqual(sha256(presented.trim()), expected)) {
        throw new IngestError('UNAUTHENTICATED', `admin requests need the token in ${ADMIN_TOKEN_HEADER} (the CLI reads it from the data directory)`);
      }
    });

    scoped.post('/api/admin/keys', async (req, reply) => {
      let body: { project?: unknown; name?: unknown };
      try {
        body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : String(req.body ?? '{}')) as typeof body;
      } catch {
        throw new IngestError('BAD_REQUEST', 'send a JSON body {"project": "...", "name": "..."}');
      }
      const project = typeof body.project === 'string' ? body.project : '';
      if (!validProjectName(project)) throw new IngestError('BAD_REQUEST', `invalid project "${project}": use letters, digits, ".", "_" or "-"`);
      const before = await listApiKeys(scoped.store.client);
      const created = await createApiKey(scoped.store.client, project, typeof body.name === 'string' ? body.name : '');
      // This server checks keys from now on, not after its next refresh.
      await scoped.reloadApiKeys().catch((err) => req.log.warn({ err }, 'could not reload API keys'));
      return reply.code(201).send({
        ...created, keysBefore: before.length, activeKeysBefore: before.filter((k) => !k.revokedAt).length, authMode: scoped.authMode, authEnabled: scoped.authEnabled(),
      });
    });

    scoped.get('/api/admin/keys', async (req) => {
      const project = (req.query as { project?: string }).project || undefined;
      return listApiKeys(scoped.store.client, project);
    });

    scoped.post('/api/admin/keys/:id/revoke', async (req) => {
      const id = (req.params as { id: string }).id;
      if (!(await revokeApiKey(scoped.store.client, id))) throw new IngestError('NOT_FOUND', `no key with id "${id}"`);
      await scoped.reloadApiKeys().catch((err) => req.log.warn({ err }, 'could not reload API keys'));
      const after = (await listApiKeys(scoped.store.client)).filter((k) => !k.revokedAt).length;
      return { keyId: id, revoked: true, activeKeysAfter: after, authMode: scoped.authMode, authEnabled: scoped.authEnabled() };
    });
  });
}

export const adminRoutes = fp(admin, { name: 'fulcrum-admin', fastify: '5.x', dependencies: ['fulcrum-auth'] });
