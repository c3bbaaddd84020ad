import type { StoreOptions } from '@fulcrum/store';
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
  --clickhouse-database <d> (env FULCRUM_CLICKHOUSE_DATABASE, default "default")
                          env FULCRUM_CLICKHOUSE_CLUSTER: migrate for a ClickHouse cluster`;

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
  return {
    url,
    dataDir: (values['data-dir'] as string | undefined) ?? (env.FULCRUM_DATA_DIR || undefined),
    username: (values['clickhouse-user'] as string | undefined) ?? env.FULCRUM_CLICKHOUSE_USER,
    password: (values['clickhouse-password'] as string | undefined) ?? env.FULCRUM_CLICKHOUSE_PASSWORD,
    database: (values['clickhouse-database'] as string | undefined) ?? env.FULCRUM_CLICKHOUSE_DATABASE,
    // On a cluster, pending migrations must run in their replicated form, never single-node.
    cluster: url ? env.FULCRUM_CLICKHOUSE_CLUSTER || undefined : undefined,
  };
}
