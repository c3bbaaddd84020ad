import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from 'chdb';
import { MIGRATIONS, clusterStatements, migrate, migrationStatements, migrationsTableDdl, type Migration } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

/*
 * The cluster DDL, checked for every table every migration creates. No
 * Keeper runs here, so ON CLUSTER and Replicated engines cannot execute; the
 * statements are parsed by ClickHouse's own parser (formatQuery), and their
 * de-replicated form runs on chDB configured with a one-shard cluster, which
 * checks the Distributed table against its local table for real.
 */

const CLUSTER = 'fulcrum';
let session: Session;

beforeAll(() => {
  const dir = tempDataDir('fulcrum-cluster-');
  const config = join(dir, 'config.xml');
  writeFileSync(config, `<clickhouse><remote_servers><${CLUSTER}><shard><replica><host>localhost</host><port>9000</port></replica></shard></${CLUSTER}></remote_servers></clickhouse>`);
  session = new Session(join(dir, 'data'), { connectionArgs: [`--config-file=${config}`] });
  session.query('CREATE DATABASE single');
  session.query('CREATE DATABASE clustered');
});
afterAll(() => session?.close());

const q = (sql: string) => session.query(sql, 'JSONEachRow').split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** Every CREATE TABLE of every migration: [migration, table name, single-node statement]. */
const CREATES: [Migration, string, string][] = MIGRATIONS.flatMap((m) =>
  m.statements({}).flatMap((s) => {
    const t = /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/i.exec(s);
    return t ? [[m, t[1]!, s] as [Migration, string, string]] : [];
  }),
);

/** Undoes what only a real cluster can run: ON CLUSTER and the Keeper path and replica arguments. */
function dereplicate(sql: string): string {
  return sql
    .replace(/ ON CLUSTER \w+/g, '')
    .replace(/Replicated(\w*MergeTree)\('[^']*', '[^']*'(?:, )?/g, '$1(');
}

const columns = (db: string, table: string) =>
  q(`SELECT name, type FROM system.columns WHERE database = '${db}' AND table = '${table}' ORDER BY position`);

describe('cluster DDL', () => {
  it('covers every table the migrations create', () => {
    expect(CREATES.map(([, t]) => t)).toEqual(expect.arrayContaining(['spans', 'session_metrics']));
  });

  it.each(CREATES)('%# migration %s: %s becomes a replicated local table and a Distributed table', (m, table, single) => {
    const [local, dist, ...rest] = clusterStatements(single, CLUSTER);
    expect(rest).toEqual([]);
    const engine = /ENGINE = (\w+)\(([^\n]*)\)\n?/.exec(single.replace(/\) ENGINE/, ')\nENGINE'));
    expect(local).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS ${table}_local ON CLUSTER ${CLUSTER} \\(`));
    expect(local).toContain(`ENGINE = Replicated${/ENGINE = (\w+)/.exec(single)![1]}('/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}'`);
    if (engine?.[2]) expect(local).toContain(`'{replica}', ${engine[2]})`);
    // Everything but the name and engine is the single-node table's: columns, indexes, partitioning, sort key.
    expect(dereplicate(local).replace(`${table}_local`, table)).toBe(single);
    expect(dist).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER ${CLUSTER} AS ${table}_local\\nENGINE = Distributed\\(${CLUSTER}, currentDatabase\\(\\), ${table}_local, cityHash64\\(`));
    expect(migrationStatements(m, { cluster: CLUSTER })).toEqual(expect.arrayContaining([local, dist]));
  });

  it.each(CREATES)('%# migration %s: ClickHouse parses the cluster DDL of %s', (_m, table, single) => {
    for (const s of [...clusterStatements(single, CLUSTER), migrationsTableDdl({ cluster: CLUSTER })]) {
      const formatted = q(`SELECT formatQuery(${quote(s)}) AS f`)[0].f as string;
      expect(formatted).toContain(`ON CLUSTER ${CLUSTER}`);
    }
    expect(table).not.toBe('');
  });

  it.each(CREATES)('%# migration %s: the Distributed %s has the single-node table\'s columns and a sharding key on them', (_m, table, single) => {
    session.query(single.replace(`EXISTS ${table} (`, `EXISTS single.${table} (`));
    const [local, dist] = clusterStatements(single, CLUSTER).map(dereplicate);
    session.query(`USE clustered`);
    session.query(local!);
    session.query(dist!);
    const expected = columns('single', table);
    // The table was created with its columns (session_activity has three: Project, SessionId, LastIngestAt).
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(expected.map((c: { name: string }) => c.name)).toContain('Project');
    expect(columns('clustered', `${table}_local`)).toEqual(expected);
    expect(columns('clustered', table)).toEqual(expected);
    const engine = q(`SELECT engine_full FROM system.tables WHERE database = 'clustered' AND name = '${table}'`)[0].engine_full as string;
    const key = /cityHash64\(([^)]*)\)/.exec(engine)![1]!.split(', ');
    const sortKey = q(`SELECT sorting_key FROM system.tables WHERE database = 'single' AND name = '${table}'`)[0].sorting_key as string;
    // The sharding key is a prefix of the sort key, so all copies of one row land on one shard and FINAL stays exact.
    expect(sortKey.split(', ').slice(0, key.length)).toEqual(key);
  });

  it('shards spans and session metrics by (Project, SessionId), keeping a session on one shard', () => {
    for (const [, table, single] of CREATES.filter(([, t]) => t === 'spans' || t === 'session_metrics')) {
      expect(clusterStatements(single, CLUSTER)[1], table).toContain('cityHash64(Project, SessionId))');
    }
  });

  it('replicates the migrations ledger to every host of every shard', () => {
    const ddl = migrationsTableDdl({ cluster: CLUSTER });
    expect(ddl).toContain(`fulcrum_migrations ON CLUSTER ${CLUSTER} (`);
    expect(ddl).toContain(`ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/fulcrum_migrations', '{shard}-{replica}')`);
    expect(migrationsTableDdl({})).not.toContain('CLUSTER');
  });

  it('keeps the single-node path unchanged', () => {
    for (const m of MIGRATIONS) expect(migrationStatements(m, {})).toEqual(m.statements({}));
  });

  it('applies column changes to both tables and other changes to the local table only', () => {
    expect(clusterStatements('ALTER TABLE spans ADD COLUMN Foo String', CLUSTER)).toEqual([
      `ALTER TABLE spans_local ON CLUSTER ${CLUSTER} ADD COLUMN Foo String`,
      `ALTER TABLE spans ON CLUSTER ${CLUSTER} ADD COLUMN Foo String`,
    ]);
    expect(clusterStatements('ALTER TABLE spans ADD INDEX i Foo TYPE minmax GRANULARITY 1', CLUSTER)).toEqual([
      `ALTER TABLE spans_local ON CLUSTER ${CLUSTER} ADD INDEX i Foo TYPE minmax GRANULARITY 1`,
    ]);
    expect(() => clusterStatements('ALTER TABLE spans ADD COLUMN Foo String, ADD INDEX i Foo TYPE minmax GRANULARITY 1', CLUSTER)).toThrow(/separate statements/);
  });

  it('passes statements already written for a cluster through, and refuses what it cannot derive', () => {
    const own = `CREATE MATERIALIZED VIEW mv ON CLUSTER ${CLUSTER} TO x AS SELECT 1`;
    expect(clusterStatements(own, CLUSTER)).toEqual([own]);
    expect(() => clusterStatements('CREATE MATERIALIZED VIEW mv TO x AS SELECT 1', CLUSTER)).toThrow(/ON CLUSTER/);
    expect(() => clusterStatements('CREATE TABLE t (a String) ENGINE = Memory', CLUSTER)).toThrow(/MergeTree/);
    expect(() => clusterStatements('CREATE TABLE t (a String) ENGINE = MergeTree ORDER BY a', 'bad name; DROP')).toThrow(/identifier/);
  });

  it('derives every statement before running any, so an underivable migration changes nothing', async () => {
    const ran: string[] = [];
    const client = {
      command: async ({ query }: { query: string }) => void ran.push(query),
      query: async () => ({ json: async () => [] }),
      insert: async () => undefined,
    };
    const good: Migration = { id: 1, name: 'good', statements: () => ['CREATE TABLE a (x String) ENGINE = MergeTree ORDER BY x'] };
    const bad: Migration = { id: 2, name: 'bad', statements: () => ['CREATE VIEW v AS SELECT 1'] };
    await expect(migrate(client as never, { cluster: CLUSTER, migrations: [good, bad] })).rejects.toThrow(/ON CLUSTER/);
    expect(ran).toEqual([migrationsTableDdl({ cluster: CLUSTER })]);
    ran.length = 0;
    expect(await migrate(client as never, { cluster: CLUSTER, migrations: [good] })).toEqual([1]);
    expect(ran.slice(1)).toEqual(clusterStatements(good.statements({})[0]!, CLUSTER));
  });
});

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
