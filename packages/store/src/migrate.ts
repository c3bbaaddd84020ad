import type { ClickHouseClient } from '@clickhouse/client';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration, MigrationContext } from './migrations/migration.js';

export const MIGRATIONS_TABLE = 'fulcrum_migrations';

const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  Id UInt32,
  Name String,
  AppliedAt DateTime64(3) DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY Id`;

export interface MigrateOptions extends MigrationContext {
  /** Migrations to apply. @default MIGRATIONS */
  migrations?: readonly Migration[];
}

/** Applies pending migrations in id order and records each. Returns the ids it applied. */
export async function migrate(client: ClickHouseClient, options: MigrateOptions = {}): Promise<number[]> {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.id - b.id);
  await client.command({ query: MIGRATIONS_TABLE_DDL });
  const applied = new Set(await appliedMigrationIds(client));
  const ran: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    for (const statement of m.statements(options)) await client.command({ query: statement });
    await client.insert({ table: MIGRATIONS_TABLE, columns: ['Id', 'Name'], values: [[m.id, m.name]], format: 'JSONCompactEachRow' });
    ran.push(m.id);
  }
  return ran;
}

export async function appliedMigrationIds(client: ClickHouseClient): Promise<number[]> {
  const rs = await client.query({ query: `SELECT DISTINCT Id FROM ${MIGRATIONS_TABLE} ORDER BY Id`, format: 'JSONEachRow' });
  return (await rs.json<{ Id: number }>()).map((r) => Number(r.Id));
}
