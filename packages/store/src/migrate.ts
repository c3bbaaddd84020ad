import type { ClickHouseClient } from '@clickhouse/client';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration, MigrationContext } from './migrations/migration.js';
import { assertClusterName, clusterStatements } from './cluster.js';

export const MIGRATIONS_TABLE = 'fulcrum_migrations';

const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  Id UInt32,
  Name String,
  AppliedAt DateTime64(3) DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY Id`;

/**
 * The migrations ledger. On a cluster it is replicated to every host of every
 * shard (no {shard} in its path, replica named by shard and replica), so an
 * ingest instance connected to any node sees what has been applied and never
 * re-runs a migration in its single-node form.
 */
export function migrationsTableDdl(ctx: MigrationContext = {}): string {
  if (!ctx.cluster) return MIGRATIONS_TABLE_DDL;
  assertClusterName(ctx.cluster);
  return MIGRATIONS_TABLE_DDL
    .replace(`IF NOT EXISTS ${MIGRATIONS_TABLE} (`, `IF NOT EXISTS ${MIGRATIONS_TABLE} ON CLUSTER ${ctx.cluster} (`)
    .replace('ENGINE = ReplacingMergeTree ', `ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/${MIGRATIONS_TABLE}', '{shard}-{replica}') `);
}

/** A migration's statements as they run: single-node as written, or their derived cluster form. */
export function migrationStatements(m: Migration, ctx: MigrationContext = {}): string[] {
  const statements = m.statements(ctx);
  return ctx.cluster ? statements.flatMap((s) => clusterStatements(s, ctx.cluster!)) : statements;
}

export interface MigrateOptions extends MigrationContext {
  /** Migrations to apply. @default MIGRATIONS */
  migrations?: readonly Migration[];
}

/** Applies pending migrations in id order and records each. Returns the ids it applied. */
export async function migrate(client: ClickHouseClient, options: MigrateOptions = {}): Promise<number[]> {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.id - b.id);
  await client.command({ query: migrationsTableDdl(options) });
  const applied = new Set(await appliedMigrationIds(client));
  // Every pending statement is derived before any runs, so a migration whose
  // cluster form cannot be derived fails before the schema is half changed.
  const pending = migrations.filter((m) => !applied.has(m.id)).map((m) => ({ m, statements: migrationStatements(m, options) }));
  const ran: number[] = [];
  for (const { m, statements } of pending) {
    for (const statement of statements) await client.command({ query: statement });
    await client.insert({ table: MIGRATIONS_TABLE, columns: ['Id', 'Name'], values: [[m.id, m.name]], format: 'JSONCompactEachRow' });
    ran.push(m.id);
  }
  return ran;
}

export async function appliedMigrationIds(client: ClickHouseClient): Promise<number[]> {
  const rs = await client.query({ query: `SELECT DISTINCT Id FROM ${MIGRATIONS_TABLE} ORDER BY Id`, format: 'JSONEachRow' });
  return (await rs.json<{ Id: number }>()).map((r) => Number(r.Id));
}
