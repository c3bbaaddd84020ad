import { MIGRATIONS, migrate, migrationStatements, migrationsTableDdl, openStore, type MigrationContext } from '@fulcrum/store';
import { parseFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { describeStoreError, storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';

export const MIGRATE_HELP = `Usage: fulcrum migrate [options]

Applies pending schema migrations, or prints their DDL.

Options:
  --cluster <name>        create replicated local tables and Distributed tables
                          ON CLUSTER <name> (env FULCRUM_CLICKHOUSE_CLUSTER);
                          needs a ClickHouse server with Keeper and <remote_servers>
  --print                 print every migration's DDL instead of applying it
                          (no connection is made)
${STORE_HELP}
  -h, --help              show this help

On a cluster, run this once before starting ingest instances: they find the
migrations applied and leave the schema alone.
`;

export async function migrateCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(argv, { cluster: { type: 'string' }, print: { type: 'boolean' }, ...STORE_FLAGS });
  if (values.help) {
    process.stdout.write(MIGRATE_HELP);
    return 0;
  }
  const cluster = (values.cluster as string | undefined) ?? (env.FULCRUM_CLICKHOUSE_CLUSTER || undefined);
  const ctx: MigrationContext = { cluster };
  if (values.print) {
    process.stdout.write(printDdl(ctx));
    return 0;
  }
  const options = storeOptions(values, env);
  if (cluster && !options.url) throw new UsageError('--cluster needs a ClickHouse server: pass --clickhouse-url (or FULCRUM_CLICKHOUSE_URL)');
  let store;
  try {
    store = await openStore({ ...options, migrate: false });
  } catch (err) {
    throw new UsageError(describeStoreError(err as Error, options));
  }
  try {
    let ran: number[];
    try {
      ran = await migrate(store.client, ctx);
    } catch (err) {
      // Opening a server store connects to nothing: an unreachable one is found here.
      const described = describeStoreError(err as Error, options);
      throw new UsageError(described.startsWith('cannot open the store: ') ? `migration failed: ${(err as Error).message.split('\n')[0]}` : described);
    }
    process.stdout.write(ran.length ? `applied migrations ${ran.join(', ')}${cluster ? ` on cluster ${cluster}` : ''}\n` : 'schema is up to date\n');
    return 0;
  } finally {
    await store.close();
  }
}

/** Every statement, in the order migrate() would run it on an empty database, each ending with ';'. */
export function printDdl(ctx: MigrationContext): string {
  const statements: string[] = [migrationsTableDdl(ctx)];
  for (const m of [...MIGRATIONS].sort((a, b) => a.id - b.id)) {
    statements.push(`-- ${String(m.id).padStart(4, '0')} ${m.name}`);
    for (const s of migrationStatements(m, ctx)) statements.push(`${s};`);
  }
  statements[0] += ';';
  return statements.join('\n\n') + '\n';
}
