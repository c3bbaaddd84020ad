import { join, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, describeDetachedPart, openStore, recoverDetachedParts, type StoreOptions } from '@fulcrum/store';
import type { FastifyInstance } from 'fastify';
import { storedSessionId, writeAdminToken } from '@fulcrum/ingest';
import { apiSettingsOf, buildApp, type AppOptions } from './app.js';
import { buildWebServer } from './web-server.js';

/** The web app's port when `fulcrum serve` is not told otherwise. */
export const DEFAULT_WEB_PORT = 4320;

export interface ServerOptions extends Omit<AppOptions, 'store'> {
  /** Where to store data. @default embedded store in './.fulcrum/data' */
  store?: StoreOptions;
  /** Port to listen on; 0 picks a free one. @default 4318 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** @default '<dataDir>/spool' embedded, './.fulcrum/spool' with a ClickHouse server */
  spoolDir?: string;
  /** Port of the web app (its pages, the same query API and docs); 0 picks a free one. `fulcrum serve` asks for 4320. @default false (no web app) */
  webPort?: number | false;
}

export interface RunningServer {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:4318 */
  url: string;
  /** The web app, when it is served. */
  web?: { app: FastifyInstance; url: string };
  close(): Promise<void>;
}

/** Opens the store, builds the app and listens. Closing flushes pending rows, then closes the store. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const store = await openStore(options.store);
  let app: FastifyInstance;
  let web: FastifyInstance | undefined;
  let webUrl: string | undefined;
  // An embedded data directory is held by this process alone, so `fulcrum keys` manages keys
  // through this server: it proves it may by reading this token from the directory (see routes/admin.ts).
  const admin = store.kind === 'embedded' ? writeAdminToken(store.location) : undefined;
  try {
    const spoolDir = options.spoolDir ?? (options.store?.url ? resolve('.fulcrum', 'spool') : join(store.location, 'spool'));
    const host = options.host ?? '127.0.0.1';
    if (options.webPort !== undefined && options.webPort !== false) {
      web = await buildWebServer({ store, auth: options.auth, settings: apiSettingsOf(options), apiLimits: options.apiLimits, defaultProject: options.defaultProject, retryAfterSeconds: options.retryAfterSeconds, logger: options.logger, timeouts: options.timeouts, sessionIdOf: (id) => storedSessionId(id, app.sanitiseOptions) });
      await web.listen({ port: options.webPort, host });
      webUrl = `http://${host}:${portOf(web)}`;
    }
    app = await buildApp({ ...options, spoolDir, store, webAppUrl: webUrl, admin: options.admin ?? (admin ? { token: admin.token } : undefined) });
    await reportDetachedParts(app);
    await app.listen({ port: options.port ?? 4318, host });
  } catch (err) {
    await web?.close();
    admin?.remove();
    await store.close();
    throw err;
  }
  const url = `http://${options.host ?? '127.0.0.1'}:${portOf(app)}`;
  store.advertise(url);
  app.log.info(app.authEnabled() ? 'auth: on (API keys required; see fulcrum keys)'
    : app.authMode === 'off' ? 'auth: off (--auth off: keys are not checked; anyone who can reach this port can write and read)'
    : 'auth: off (no API keys exist; anyone who can reach this port can write and read). Create one with: fulcrum keys create --project NAME');
  return {
    app,
    url,
    ...(web && webUrl ? { web: { app: web, url: webUrl } } : {}),
    async close() {
      try {
        await web?.close();
        await app.close();
      } finally {
        admin?.remove();
        await store.close();
      }
    },
  };
}

/**
 * Parts ClickHouse set aside (a merge cut short by a full disk leaves one that is
 * detached as broken at the next start) are reported loudly, and re-attached when
 * intact. A failure to look is logged, never fatal: the server still starts.
 */
async function reportDetachedParts(app: FastifyInstance): Promise<void> {
  try {
    for (const part of await recoverDetachedParts(app.store.client)) {
      const line = describeDetachedPart(part);
      if (part.outcome === 'left') app.log.error({ table: part.table, part: part.name, reason: part.reason, rows: part.rows, activeRowsInRange: part.activeRowsInRange }, line);
      else app.log.warn({ table: part.table, part: part.name, reason: part.reason, rows: part.rows, outcome: part.outcome }, line);
    }
  } catch (err) {
    app.log.warn({ err: (err as Error).message }, 'could not check for detached parts');
  }
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
