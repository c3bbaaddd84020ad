import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { isolateChdbQueries } from './chdb-session.js';
import { UNLIMITED_INSERT_SETTINGS } from './insert-settings.js';
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
  /** Longest a query may run (ClickHouse max_execution_time), in seconds; 0 means no limit. Inserts of data the server sent are not held to it. @default 60 */
  maxQuerySeconds?: number;
  /** Most memory one query may use (ClickHouse max_memory_usage), in bytes; 0 means no limit. @default 2147483648 (2 GiB) */
  maxQueryMemoryBytes?: number;
}

export interface Store {
  readonly client: ClickHouseClient;
  readonly kind: 'embedded' | 'server';
  /** Where the data lives: a directory or a URL (without credentials). */
  readonly location: string;
  /**
   * Inserts rows already encoded in `format` (one per line). Embedded, the bytes go to
   * chDB's parser zero-copy; on a server they are streamed as the INSERT body.
   */
  insertEncoded(table: string, columns: readonly string[], format: EncodedFormat, body: string | Buffer): Promise<void>;
  /** Records the API URL of the process holding an embedded store, so CLIs can find it. */
  advertise(url: string): void;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = './.fulcrum/data';

export type EncodedFormat = 'JSONCompactEachRow' | 'JSONEachRow' | 'RowBinary';

/** chDB prints 64-bit integers in JSON as numbers and a server quotes them; pin one so query code is the same on both. */
const SAME_JSON_NUMBERS = { output_format_json_quote_64bit_integers: 0 } as const;
/** Limits every query runs under, so no report can take the store's time or memory. */
function queryLimits(options: StoreOptions) {
  const seconds = options.maxQuerySeconds ?? 60;
  const bytes = options.maxQueryMemoryBytes ?? 2 * 1024 ** 3;
  if (!(seconds >= 0) || !Number.isInteger(bytes) || bytes < 0) throw new Error('store: maxQuerySeconds and maxQueryMemoryBytes must be non-negative');
  return { ...SAME_JSON_NUMBERS, max_execution_time: seconds, max_memory_usage: String(bytes) };
}

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
    clickhouse_settings: queryLimits(options),
  });
  url.password = '';
  const insertEncoded: Store['insertEncoded'] = async (table, columns, format, body) => {
    const r = await client.exec({ query: `INSERT INTO ${table} (${columns.map(quoteIdent).join(', ')}) FORMAT ${format}`, values: Readable.from([body]), clickhouse_settings: UNLIMITED_INSERT_SETTINGS });
    r.stream.resume();
  };
  return wrap(client, 'server', url.toString(), insertEncoded, () => undefined, () => undefined);
}

function openEmbedded(options: StoreOptions): Store {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const lock = lockDataDir(dataDir);
  try {
    removeOrphanedInserts(join(dataDir, 'inserts'));
    const connection = createChdbConnection({ path: dataDir });
    const client = createClient({ connection: isolateChdbQueries(connection), log: { level: ClickHouseLogLevel.OFF }, clickhouse_settings: queryLimits(options) } as Parameters<typeof createClient>[0]);
    const inserts = join(dataDir, 'inserts');
    let seq = 0;
    const insertEncoded: Store['insertEncoded'] = async (table, columns, format, body) => {
      if (body.length === 0) return;
      if (format !== 'RowBinary') {
        await connection.chdb.rawInsert({ table, columns, format, values: Buffer.from(body), settings: UNLIMITED_INSERT_SETTINGS });
        return;
      }
      // chDB's in-memory insert takes text formats only; binary goes through a file, which it reads without parsing text.
      mkdirSync(inserts, { recursive: true });
      const file = join(inserts, `${process.pid}-${++seq}.bin`);
      await writeFile(file, body);
      try {
        await client.command({ query: `INSERT INTO ${table} (${columns.map(quoteIdent).join(', ')}) FROM INFILE ${sqlString(file)} FORMAT RowBinary`, clickhouse_settings: UNLIMITED_INSERT_SETTINGS });
      } finally {
        await rm(file, { force: true });
      }
    };
    return wrap(client, 'embedded', dataDir, insertEncoded, (u) => lock.update(u), () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}

/**
 * INSERT bodies a previous process left when it died mid-INSERT. The lock makes this
 * process the directory's only user, so none of them is still being read.
 */
function removeOrphanedInserts(inserts: string): void {
  let files: string[];
  try {
    files = readdirSync(inserts);
  } catch {
    return; // no inserts yet
  }
  for (const f of files) if (/^\d+-\d+\.bin$/.test(f)) rmSync(join(inserts, f), { force: true });
}

/** A file path as a ClickHouse string literal (INFILE takes no bound parameter). */
function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Column names come from our own table definitions; quoting keeps dotted Nested names valid. */
function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

function wrap(
  client: ClickHouseClient,
  kind: Store['kind'],
  location: string,
  insertEncoded: Store['insertEncoded'],
  advertise: (u: string) => void,
  release: () => void,
): Store {
  let closed = false;
  return {
    client,
    kind,
    location,
    advertise,
    insertEncoded(table, columns, format, body) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return insertEncoded(table, columns, format, body);
    },
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
