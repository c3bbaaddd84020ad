import { join, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, describeDetachedPart, openStore, recoverDetachedParts, type StoreOptions } from '@fulcrum/store';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import { writeAdminToken } from './routes/admin.js';

export interface ServerOptions extends Omit<AppOptions, 'store'> {
  /** Where to store data. @default embedded store in './.fulcrum/data' */
  store?: StoreOptions;
  /** Port to listen on; 0 picks a free one. @default 4318 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** @default '<dataDir>/spool' embedded, './.fulcrum/spool' with a ClickHouse server */
  spoolDir?: string;
}

export interface RunningServer {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:4318 */
  url: string;
  close(): Promise<void>;
}

/** Opens the store, builds the app and listens. Closing flushes pending rows, then closes the store. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const store = await openStore(options.store);
  let app: FastifyInstance;
  // An embedded data directory is held by this process alone, so `fulcrum keys` manages keys
  // through this server: it proves it may by reading this token from the directory (see routes/admin.ts).
  const admin = store.kind === 'embedded' ? writeAdminToken(store.location) : undefined;
  try {
    const spoolDir = options.spoolDir ?? (options.store?.url ? resolve('.fulcrum', 'spool') : join(store.location, 'spool'));
    app = await buildApp({ ...options, spoolDir, store, admin: options.admin ?? (admin ? { token: admin.token } : undefined) });
    await reportDetachedParts(app);
    await app.listen({ port: options.port ?? 4318, host: options.host ?? '127.0.0.1' });
  } catch (err) {
    admin?.remove();
    await store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  store.advertise(url);
  app.log.info(app.authEnabled() ? 'auth: on (API keys required; see fulcrum keys)'
    : app.authMode === 'off' ? 'auth: off (--auth off: keys are not checked; anyone who can reach this port can write and read)'
    : 'auth: off (no API keys exist; anyone who can reach this port can write and read). Create one with: fulcrum keys create --project NAME');
  return {
    app,
    url,
    async close() {
      try {
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
