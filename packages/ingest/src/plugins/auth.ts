import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { IngestError } from '../errors.js';
import { checkKey, loadKeyRecords, type KeyCheck, type KeyRecord } from '../auth/keys.js';

export interface AuthOptions {
  /** off: never; required: always; auto: whenever at least one key exists. @default 'auto' */
  mode?: 'auto' | 'required' | 'off';
  /** How often revocations and new keys are picked up, in ms. @default 5000 */
  refreshMs?: number;
  /** Extra header that may carry the key, besides `Authorization: Bearer`. @default 'x-api-key' */
  header?: string;
  /** Routes answered without a key (they hold no project's data). @default /healthz, /openapi.json and /docs with its assets */
  isPublic?: (route: string) => boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The project of the key the request presented; empty when auth is off. */
    fulcrumProject: string;
  }
  interface FastifyInstance {
    /** The key a request presents, checked without refusing anything: public routes (/healthz) show more to a key holder. */
    checkPresentedKey(req: FastifyRequest): KeyCheck;
    authEnabled(): boolean;
    /** auto, required or off, as the server was started. */
    authMode: 'auto' | 'required' | 'off';
    /** Reads the key table now (after a key is created or revoked through this server). */
    reloadApiKeys(): Promise<void>;
  }
}

const PUBLIC = new Set(['/healthz', '/openapi.json', '/docs']);
const publicByDefault = (route: string) => PUBLIC.has(route) || route.startsWith('/docs/');
/** Admin routes check their own credential (routes/admin.ts), never a project key. */
const ADMIN_PREFIX = '/api/admin/';

function presentedKey(req: FastifyRequest, header: string): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    // "Bearer%20<key>" too: OTEL_EXPORTER_OTLP_HEADERS values are percent-encoded by the
    // specification, and some exporters (Claude Code's) send them without decoding.
    const m = /^Bearer(?:\s+|%20)(\S+)\s*$/i.exec(auth);
    return m ? m[1] : auth.trim();
  }
  const h = req.headers[header];
  return typeof h === 'string' ? h.trim() : undefined;
}

/**
 * Per-project API keys, checked in onRequest: a missing or wrong key is refused
 * with 401 (a revoked one with 403) before the body is read or decompressed.
 */
async function auth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const mode = options.mode ?? 'auto';
  if (!['auto', 'required', 'off'].includes(mode)) throw new Error(`auth: mode must be auto, required or off, got ${mode}`);
  const refreshMs = options.refreshMs ?? 5000;
  const header = (options.header ?? 'x-api-key').toLowerCase();
  const isPublic = options.isPublic ?? publicByDefault;
  // Undefined while the key table cannot be read: requests then get 503, never a free pass.
  let records: Map<string, KeyRecord> | undefined = mode === 'off' ? new Map() : undefined;
  let lastLoad = 0;
  const reload = async () => {
    lastLoad = Date.now();
    records = await loadKeyRecords(app.store.client);
  };
  if (mode !== 'off') await reload().catch((err) => app.log.warn({ err: (err as Error).message }, 'could not read API keys; will retry'));
  const timer = mode === 'off' ? undefined : setInterval(() => reload().catch((err) => app.log.warn({ err }, 'could not refresh API keys')), refreshMs);
  timer?.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  const enabled = () => mode === 'required' || (mode === 'auto' && records !== undefined && records.size > 0);
  app.decorate('authEnabled', enabled);
  app.decorate('authMode', mode);
  app.decorate('reloadApiKeys', async () => {
    if (mode !== 'off') await reload();
  });
  app.decorateRequest('fulcrumProject', '');
  app.decorate('checkPresentedKey', (req: FastifyRequest): KeyCheck => {
    const key = presentedKey(req, header);
    return key && records ? checkKey(records, key) : { status: 'invalid' };
  });
  app.addHook('onRequest', async (req) => {
    const route = req.routeOptions.url ?? '';
    if (mode === 'off' || isPublic(route) || route.startsWith(ADMIN_PREFIX)) return;
    if (records === undefined && Date.now() - lastLoad > 1000) await reload().catch(() => undefined);
    if (records === undefined) throw new IngestError('STORE_UNAVAILABLE', 'cannot read API keys', app.retryAfterSeconds);
    const key = presentedKey(req, header);
    // A request that brings a key is checked even before this server has seen any key, so a key
    // created a moment ago works at once (and switches auth on here) instead of after the refresh.
    // Without a key (and with auth off) the request goes through.
    if (!key) {
      if (!enabled()) return;
      throw new IngestError('UNAUTHENTICATED', 'send Authorization: Bearer <key>');
    }
    let check = checkKey(records, key);
    // A key created since the last refresh: reload once, at most once a second.
    if (check.status === 'unknown-id' && Date.now() - lastLoad > 1000) {
      await reload().catch(() => undefined);
      check = checkKey(records ?? new Map(), key);
    }
    if (check.status === 'valid') {
      req.fulcrumProject = check.project;
      return;
    }
    // While no key exists, auth is off: a header meant for something else (a collector's token) is ignored.
    if (!enabled()) return;
    if (check.status === 'revoked') throw new IngestError('FORBIDDEN');
    throw new IngestError('UNAUTHENTICATED');
  });
}

export const authPlugin = fp(auth, { name: 'fulcrum-auth', fastify: '5.x' });
