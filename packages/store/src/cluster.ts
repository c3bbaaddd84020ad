/**
 * Cluster DDL, derived from the single-node DDL every migration writes.
 *
 * A table `t` becomes two, both created ON CLUSTER:
 * - `t_local`: the same columns, indexes, partitioning and sort key, with the
 *   engine's Replicated variant (one ZooKeeper/Keeper path per shard, one
 *   replica name per host). This holds the data.
 * - `t`: a Distributed table over `t_local`, so every query and INSERT keeps
 *   using the public name and no other package knows about the cluster.
 *
 * Sharding key: a hash of the sort key's prefix up to and including
 * SessionId (the whole sort key when there is none). Two reasons:
 * - ReplacingMergeTree collapses duplicates only within one shard; since the
 *   shard is a function of a prefix of the sort key, every copy of a row (a
 *   retried OTLP export) lands on the same shard, and FINAL, which runs per
 *   shard, still deduplicates exactly.
 * - All spans of a session land on one shard, so per-session analysis
 *   (reconstruction, loops, re-reads) reads one shard's contiguous range.
 *
 * The transformation is generic over CREATE TABLE statements so migrations
 * added later need no cluster code. A statement that already says ON CLUSTER
 * is the migration's own cluster form and passes through; anything else that
 * cannot be derived safely throws rather than silently creating a
 * non-replicated object on one node.
 */

export const LOCAL_SUFFIX = '_local';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The cluster name must be a plain identifier: it is written into DDL. */
export function assertClusterName(cluster: string): void {
  if (!IDENT.test(cluster)) throw new RangeError(`cluster name must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got "${cluster}"`);
}

/** The cluster form of one single-node statement (one or more statements). */
export function clusterStatements(statement: string, cluster: string): string[] {
  assertClusterName(cluster);
  if (/\bON\s+CLUSTER\b/i.test(statement)) return [statement];
  // A backfill addresses the public (Distributed) names, so it runs once, from one node, as written.
  if (/^\s*INSERT\s+INTO\s/i.test(statement)) return [statement];
  const create = /^\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\(/i.exec(statement);
  if (create) return createTable(statement, create, cluster);
  const alter = /^\s*ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s+/i.exec(statement);
  if (alter) return alterTable(statement, alter, cluster);
  throw new Error(`cannot derive cluster DDL for this statement; write it with ON CLUSTER (see MigrationContext.cluster): ${statement.slice(0, 120)}`);
}

/** The table a ReplicatedMergeTree of every replica of one shard shares in Keeper. */
export function replicaPath(localTable: string): string {
  return `/clickhouse/tables/{shard}/{database}/${localTable}`;
}

function createTable(statement: string, m: RegExpExecArray, cluster: string): string[] {
  const ifNotExists = m[1] ? 'IF NOT EXISTS ' : '';
  const table = m[2]!;
  const local = table + LOCAL_SUFFIX;
  const columnsEnd = closingParen(statement, m.index + m[0].length - 1);
  const tail = statement.slice(columnsEnd + 1);
  const engine = /\bENGINE\s*=\s*([A-Za-z]*MergeTree)\b/i.exec(tail);
  if (!engine) throw new Error(`cannot derive cluster DDL for ${table}: only MergeTree-family engines are supported`);
  const nameEnd = engine.index + engine[0].length;
  let args = '';
  let engineEnd = nameEnd;
  const open = tail.slice(nameEnd).search(/\S/);
  if (open >= 0 && tail[nameEnd + open] === '(') {
    const close = closingParen(tail, nameEnd + open);
    args = tail.slice(nameEnd + open + 1, close).trim();
    engineEnd = close + 1;
  }
  const family = engine[1]!;
  const replicated = /^Replicated/i.test(family)
    ? `${family}(${args})`
    : `Replicated${family}('${replicaPath(local)}', '{replica}'${args ? `, ${args}` : ''})`;
  const newTail = `${tail.slice(0, engine.index)}ENGINE = ${replicated}${tail.slice(engineEnd)}`;
  const localDdl = `CREATE TABLE ${ifNotExists}${local} ON CLUSTER ${cluster} ${statement.slice(m.index + m[0].length - 1, columnsEnd + 1)}${newTail}`;
  const distributed = `CREATE TABLE ${ifNotExists}${table} ON CLUSTER ${cluster} AS ${local}
ENGINE = Distributed(${cluster}, currentDatabase(), ${local}, ${shardingKey(tail, table)})`;
  return [localDdl, distributed];
}

/** cityHash64 of the sort key up to and including SessionId; the whole sort key when it has none. */
export function shardingKey(tableTail: string, table = 'table'): string {
  const order = /\bORDER\s+BY\s+/i.exec(tableTail);
  if (!order) throw new Error(`cannot derive a sharding key for ${table}: no ORDER BY`);
  const start = order.index + order[0].length;
  let columns: string[];
  if (tableTail[start] === '(') {
    columns = splitTopLevel(tableTail.slice(start + 1, closingParen(tableTail, start)));
  } else {
    columns = [/^[^\s]+/.exec(tableTail.slice(start))![0]];
  }
  const session = columns.findIndex((c) => c === 'SessionId');
  const key = session >= 0 ? columns.slice(0, session + 1) : columns;
  return `cityHash64(${key.join(', ')})`;
}

const COLUMN_OP = /^(ADD|DROP|MODIFY|RENAME|COMMENT|CLEAR)\s+COLUMN\b/i;

/**
 * Column changes apply to both tables (a Distributed table has the columns
 * too); anything else (indexes, TTL, settings, mutations) only to the data.
 */
function alterTable(statement: string, m: RegExpExecArray, cluster: string): string[] {
  const table = m[1]!;
  const ops = splitTopLevel(statement.slice(m.index + m[0].length));
  const columnOps = ops.filter((o) => COLUMN_OP.test(o)).length;
  if (columnOps > 0 && columnOps < ops.length) {
    throw new Error(`cannot derive cluster DDL for ALTER TABLE ${table}: split column changes and other changes into separate statements`);
  }
  const body = ops.join(', ');
  const local = `ALTER TABLE ${table}${LOCAL_SUFFIX} ON CLUSTER ${cluster} ${body}`;
  return columnOps > 0 ? [local, `ALTER TABLE ${table} ON CLUSTER ${cluster} ${body}`] : [local];
}

/** Index of the parenthesis closing the one at `open`, skipping quoted text. */
function closingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === "'" || c === '`' || c === '"') {
      i = endOfQuoted(s, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in DDL: ${s.slice(open, open + 80)}`);
}

function endOfQuoted(s: string, start: number): number {
  const q = s[start];
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === q) return i;
  }
  throw new Error('unterminated quote in DDL');
}

/** Splits on commas outside parentheses and quotes; trims each part. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'" || c === '`' || c === '"') i = endOfQuoted(s, i);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(from, i).trim());
      from = i + 1;
    }
  }
  parts.push(s.slice(from).trim());
  return parts.filter((p) => p !== '');
}
