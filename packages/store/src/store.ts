import { resolve } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { lockDataDir } from './lock.js';
import { migrate } from './migrate.js';

export interface StoreOptions {
  /** Embedded chDB data directory, used when no url is given. @default './.fulcrum/data' */
  dataDir?: string;
  /** ClickHouse server URL (http[s]://host:8123). When set, the embedded store is not used. @default undefined */
  url?: string;
  /** ClickHouse user for a server. @default 'default' */
  username?: string;
  /** ClickHouse password for a server. @default '' */
  password?: string;
  /** Database for a server. @default 'default' */
  database?: string;
  /** Apply pending migrations on open. @default true */
  migrate?: boolean;
  /** Cluster name for migrations that create replicated tables. @default undefined */
  cluster?: string;
}

export interface Store {
  readonly client: ClickHouseClient;
  readonly kind: 'embedded' | 'server';
  /** Where the data lives: a directory or a URL (without credentials). */
  readonly location: string;
  /** Records the API URL of the process holding an embedded store, so CLIs can find it. */
  advertise(url: string): void;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = './.fulcrum/data';

/** chDB prints 64-bit integers in JSON as numbers and a server quotes them; pin one so query code is the same on both. */
const SAME_JSON_NUMBERS = { output_format_json_quote_64bit_integers: 0 } as const;

/** Opens the store (embedded chDB by default, a ClickHouse server when `url` is set) and migrates it. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const store = options.url ? openServer(options) : openEmbedded(options);
  try {
    if (options.migrate !== false) await migrate(store.client, { cluster: options.cluster });
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openServer(options: StoreOptions): Store {
  const url = new URL(options.url!);
  const client = createClient({
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    database: options.database ?? 'default',
    request_timeout: 30_000,
    // Failures surface as errors we report ourselves; the client's own log would print them twice.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: SAME_JSON_NUMBERS,
  });
  url.password = '';
  return wrap(client, 'server', url.toString(), () => undefined, () => undefined);
}

function openEmbedded(options: StoreOptions): Store {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const lock = lockDataDir(dataDir);
  try {
    const client = createClient({ connection: createChdbConnection({ path: dataDir }), log: { level: ClickHouseLogLevel.OFF }, clickhouse_settings: SAME_JSON_NUMBERS } as Parameters<typeof createClient>[0]);
    return wrap(client, 'embedded', dataDir, (u) => lock.update(u), () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}

function wrap(client: ClickHouseClient, kind: Store['kind'], location: string, advertise: (u: string) => void, release: () => void): Store {
  let closed = false;
  return {
    client,
    kind,
    location,
    advertise,
    async ping() {
      if (closed) return false;
      const r = await client.ping();
      return r.success;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}
