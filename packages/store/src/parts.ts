import { existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Reasons ClickHouse gives a part it set aside because it could not trust it.
 * Only these are worth an attach attempt: `ignored` parts are covered by a
 * newer part that holds their rows, and an empty reason means someone ran
 * `ALTER TABLE … DETACH PART` on purpose.
 */
const SUSPECT_REASONS = new Set(['broken', 'broken-on-start', 'unexpected', 'covered-by-broken', 'noquorum']);

export interface DetachedPart {
  table: string;
  /** The detached directory's name, reason prefix included (e.g. `broken-on-start_202511_1_167_23`). */
  name: string;
  /** ClickHouse's reason (`broken-on-start`, `unexpected`, …); '' for a part detached by hand. */
  reason: string;
  /** Rows the part held, from its count.txt; null when that file is unreadable or empty (a broken part's usually is). */
  rows: number | null;
  /**
   * covered: active parts still hold every block this part held, so no row is missing;
   * reattached: the part was intact and is back in the table;
   * left: it stays detached (see detail), and its rows are not in the table.
   */
  outcome: 'covered' | 'reattached' | 'left';
  /** Rows of the active parts (same table and partition) overlapping this part's block range: what survived of it, when it is not covered. */
  activeRowsInRange: number;
  /** Why a part was left detached. */
  detail?: string;
}

export interface RecoverPartsOptions {
  /** Try `ATTACH PART` on suspect parts whose rows are not covered; false only reports. @default true */
  attach?: boolean;
}

interface DetachedRow {
  table: string;
  partition_id: string | null;
  name: string;
  reason: string | null;
  min_block_number: number | null;
  max_block_number: number | null;
  path: string;
}

interface ActiveRange {
  table: string;
  partition_id: string;
  min_block_number: number;
  max_block_number: number;
  rows: number;
}

/**
 * Reports the parts of this database's tables that ClickHouse has detached
 * (a merge that hit a full disk can leave a part of empty files, which is set
 * aside as `broken-on-start_*` at the next start), and re-attaches the ones
 * that are intact. A part whose blocks are all still covered by active parts
 * (the parts a failed merge read from) lost nothing and is left alone.
 *
 * Re-attaching needs the part's directory on this machine (an embedded store,
 * or a server on this host), because ClickHouse attaches only names without a
 * reason prefix: the directory is renamed to its plain part name, attached, and
 * renamed back if ClickHouse refuses it. Tables are ReplacingMergeTree, so an
 * attached part that repeats rows already present is collapsed on read.
 */
export async function recoverDetachedParts(client: ClickHouseClient, options: RecoverPartsOptions = {}): Promise<DetachedPart[]> {
  const detached = await rows<DetachedRow>(client, `SELECT table, partition_id, name, reason, min_block_number, max_block_number, path
    FROM system.detached_parts WHERE database = currentDatabase() ORDER BY table, name`);
  if (detached.length === 0) return [];
  const active = await rows<ActiveRange>(client, `SELECT table, partition_id, min_block_number, max_block_number, rows
    FROM system.parts WHERE database = currentDatabase() AND active`);
  const out: DetachedPart[] = [];
  for (const part of detached) {
    const reason = part.reason ?? '';
    const inRange = activeInRange(part, active);
    const base: Omit<DetachedPart, 'outcome'> = { table: part.table, name: part.name, reason, rows: countRows(part.path), activeRowsInRange: inRange.reduce((n, r) => n + r.rows, 0) };
    if (covered(part, inRange)) {
      out.push({ ...base, outcome: 'covered' });
    } else if (!SUSPECT_REASONS.has(reason)) {
      out.push({ ...base, outcome: 'left', detail: reason === '' ? 'detached by hand; attach it with ALTER TABLE … ATTACH PART' : `reason "${reason}" is not one Fulcrum re-attaches` });
    } else if (options.attach === false) {
      out.push({ ...base, outcome: 'left', detail: 'attaching is turned off' });
    } else {
      out.push({ ...base, ...(await tryAttach(client, part, reason)) });
    }
  }
  return out;
}

/** One line per part, for a server log; never a path. */
export function describeDetachedPart(p: DetachedPart): string {
  const rows = p.rows === null ? 'rows unknown (its count file is unreadable)' : `${p.rows} rows`;
  const what = p.outcome === 'covered' ? 'no rows missing: active parts still hold all its blocks'
    : p.outcome === 'reattached' ? 'intact, re-attached'
    : `left detached (${p.detail ?? 'unknown'}); active parts overlapping its block range hold ${p.activeRowsInRange} rows; the rest of its rows are not in the table`;
  return `detached part ${p.table}/${p.name} (reason: ${p.reason || 'none'}, ${rows}): ${what}`;
}

async function tryAttach(client: ClickHouseClient, part: DetachedRow, reason: string): Promise<Pick<DetachedPart, 'outcome' | 'detail'>> {
  const plain = reason && part.name.startsWith(`${reason}_`) ? part.name.slice(reason.length + 1) : part.name;
  if (!/^[A-Za-z0-9_-]+$/.test(plain)) return { outcome: 'left', detail: 'unexpected part name' };
  let renamedTo: string | undefined;
  if (plain !== part.name) {
    if (!part.path || !existsSync(part.path)) return { outcome: 'left', detail: 'its directory is not on this machine; rename it to its plain part name on the ClickHouse host and attach it' };
    const target = join(dirname(part.path), plain);
    if (existsSync(target)) return { outcome: 'left', detail: `a detached part named ${plain} already exists` };
    renameSync(part.path, target);
    renamedTo = target;
  }
  try {
    await client.command({ query: `ALTER TABLE ${quoteIdent(part.table)} ATTACH PART '${plain}'` });
    return { outcome: 'reattached' };
  } catch (err) {
    // Put the directory back under its original name, so the evidence stays as ClickHouse left it.
    if (renamedTo && existsSync(renamedTo) && !existsSync(part.path)) renameSync(renamedTo, part.path);
    return { outcome: 'left', detail: `ClickHouse refused to attach it: ${firstLine(err)}` };
  }
}

/** Active parts of the same table and partition whose block ranges overlap the detached part's. */
function activeInRange(part: DetachedRow, active: ActiveRange[]): ActiveRange[] {
  if (part.partition_id === null || part.min_block_number === null || part.max_block_number === null) return [];
  return active
    .filter((a) => a.table === part.table && a.partition_id === part.partition_id && a.max_block_number >= part.min_block_number! && a.min_block_number <= part.max_block_number!)
    .sort((a, b) => a.min_block_number - b.min_block_number);
}

/**
 * True when active parts span the detached part's whole block range without a hole. Strict on
 * purpose: a hole may be a block of another partition or a failed insert's unused number, but it may
 * also be a lost part, and only the first two are harmless; a hole sends the part to an attach attempt.
 */
function covered(part: DetachedRow, ranges: ActiveRange[]): boolean {
  if (part.min_block_number === null || part.max_block_number === null || ranges.length === 0) return false;
  let next = part.min_block_number;
  for (const r of ranges) {
    if (r.min_block_number > next) return false;
    next = Math.max(next, r.max_block_number + 1);
  }
  return next > part.max_block_number;
}

function countRows(path: string): number | null {
  if (!path) return null;
  try {
    const text = readFileSync(join(path, 'count.txt'), 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await client.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  return rs.json<T>();
}

function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 300);
}

/**
 * Bytes on disk of the largest partition of this database's tables, active parts only: the most a
 * single merge can write (ClickHouse merges within a partition), so the free space a merge may need.
 */
export async function largestPartitionBytes(client: ClickHouseClient): Promise<number> {
  const [row] = await rows<{ bytes: number }>(client, `SELECT max(bytes) AS bytes FROM (
    SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table, partition_id)`);
  return Number(row?.bytes ?? 0);
}

/**
 * Stops or restarts background merges on this database's tables. Stopping also cancels merges in
 * progress, so no merge is left writing into a filesystem that is running out of space.
 */
export async function setMerges(client: ClickHouseClient, running: boolean): Promise<void> {
  await client.command({ query: running ? 'SYSTEM START MERGES' : 'SYSTEM STOP MERGES' });
}

export interface PartsProbe {
  /** Active parts read. */
  partsRead: number;
  /** Detached parts of this database's tables, whatever the reason. */
  detachedParts: number;
}

/**
 * A cheap real read that finds a part ClickHouse cannot read: the first row of
 * the smallest column of the newest active parts of each table (a merge or insert
 * that just committed is where a part of empty files shows up, and every query
 * touching it fails with "Empty marks file"). One small column, not every column:
 * reading all of a spans part's maps every few seconds cost more memory than the
 * ingest it watches. Rejects with ClickHouse's error.
 */
export async function probeNewestParts(client: ClickHouseClient, perTable = 2): Promise<PartsProbe> {
  const newest = await rows<{ table: string; name: string; column: string }>(client, `SELECT p.table AS table, p.name AS name,
      (SELECT argMin(column, column_data_compressed_bytes) FROM system.parts_columns c
        WHERE c.database = currentDatabase() AND c.table = p.table AND c.name = p.name AND c.active) AS column
    FROM system.parts p
    WHERE p.database = currentDatabase() AND p.active ORDER BY p.modification_time DESC, p.max_block_number DESC LIMIT ${Math.max(1, Math.floor(perTable))} BY p.table`);
  for (const p of newest) {
    if (!p.column) continue;
    const rs = await client.query({
      query: `SELECT ${quoteIdent(p.column)} FROM ${quoteIdent(p.table)} WHERE _part = {part:String} LIMIT 1`,
      query_params: { part: p.name },
      format: 'JSONEachRow',
      clickhouse_settings: { max_threads: 1, max_block_size: '1' },
    });
    await rs.json();
  }
  const [detached] = await rows<{ n: number }>(client, 'SELECT count() AS n FROM system.detached_parts WHERE database = currentDatabase()');
  return { partsRead: newest.length, detachedParts: Number(detached?.n ?? 0) };
}
