import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, type StoreOptions } from '@fulcrum/store';
import { UsageError } from './errors.js';

export const STORE_FLAGS = {
  'data-dir': { type: 'string' },
  'clickhouse-url': { type: 'string' },
  'clickhouse-user': { type: 'string' },
  'clickhouse-password': { type: 'string' },
  'clickhouse-database': { type: 'string' },
} as const;

export const STORE_HELP = `  --data-dir <dir>        embedded store directory (default ./.fulcrum/data, env FULCRUM_DATA_DIR)
  --clickhouse-url <url>  use a ClickHouse server instead (env FULCRUM_CLICKHOUSE_URL)
  --clickhouse-user <u>   (env FULCRUM_CLICKHOUSE_USER, default "default")
  --clickhouse-password <p> (env FULCRUM_CLICKHOUSE_PASSWORD)
  --clickhouse-database <d> (env FULCRUM_CLICKHOUSE_DATABASE, default "default")`;

/** The data directory's path must end in a directory (or nothing yet): a file there is named, not met with EEXIST. */
function checkDataDir(dir: string, source: string): void {
  for (let p = resolve(dir); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      if (dirname(p) === p) return;
      continue; // not there yet: created on open
    }
    if (isDir) return;
    throw new UsageError(p === resolve(dir) ? `${source} ${dir} is a file, not a directory` : `${source} ${dir}: ${p} is a file, not a directory`);
  }
}

/** Why a store could not be opened or migrated, in one line: an unreachable server is named with its URL. */
export function describeStoreError(err: Error & { code?: string }, options: StoreOptions): string {
  const message = err.message.split('\n')[0]!;
  if (err.code === 'FULCRUM_DATA_DIR_LOCKED') return message;
  if (options.url && (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|socket hang up|connect/i.test(message))) {
    return `cannot reach ClickHouse at ${options.url}: ${message}`;
  }
  return `cannot open the store: ${message}`;
}

/** Store options from flags, falling back to the environment. */
export function storeOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): StoreOptions {
  // An empty variable means unset, as in most shells' `FOO= cmd`.
  const url = (values['clickhouse-url'] as string | undefined) ?? (env.FULCRUM_CLICKHOUSE_URL || undefined);
  if (url !== undefined) {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new UsageError(`--clickhouse-url must be an http(s) URL, got "${url}"`);
    }
  }
  const flag = values['data-dir'] as string | undefined;
  const dataDir = flag ?? (env.FULCRUM_DATA_DIR || undefined);
  if (!url) checkDataDir(dataDir ?? DEFAULT_DATA_DIR, flag !== undefined ? '--data-dir' : dataDir !== undefined ? 'FULCRUM_DATA_DIR' : 'data directory');
  return {
    url,
    dataDir,
    username: (values['clickhouse-user'] as string | undefined) ?? env.FULCRUM_CLICKHOUSE_USER,
    password: (values['clickhouse-password'] as string | undefined) ?? env.FULCRUM_CLICKHOUSE_PASSWORD,
    database: (values['clickhouse-database'] as string | undefined) ?? env.FULCRUM_CLICKHOUSE_DATABASE,
    // On a cluster, pending migrations must run in their replicated form, never single-node.
    cluster: url ? env.FULCRUM_CLICKHOUSE_CLUSTER || undefined : undefined,
  };
}
