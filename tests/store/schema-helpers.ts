import { expect } from 'vitest';
import { API_KEYS, GIT_COMMIT_FILES, GIT_COMMITS, GIT_SYNC_STATE, SESSION_ACTIVITY, SESSION_COMMITS, SESSION_OUTCOMES, SESSION_METRICS, SESSION_SUMMARIES, SPAN_VERDICTS, SPANS, GIT_COMMIT_SURVIVAL, GIT_LINE_ORIGINS, GIT_SURVIVAL_STATE, type Store, type Table, type ColumnsDef } from '@fulcrum/store';

const DECLARED: Table<ColumnsDef>[] = [SPANS, SESSION_METRICS, API_KEYS, SESSION_ACTIVITY, SESSION_SUMMARIES, SPAN_VERDICTS, GIT_COMMITS, GIT_COMMIT_FILES, GIT_SYNC_STATE, SESSION_COMMITS, SESSION_OUTCOMES, GIT_COMMIT_SURVIVAL, GIT_LINE_ORIGINS, GIT_SURVIVAL_STATE] as never;

type ColumnInfo = { name: string; type: string; compression_codec: string; position: number };
export async function columnsOf(store: Store, table: string): Promise<ColumnInfo[]> {
  const rs = await store.client.query({
    query: 'SELECT name, type, compression_codec, position FROM system.columns WHERE database = currentDatabase() AND table = {t:String} ORDER BY position',
    query_params: { t: table },
    format: 'JSONEachRow',
  });
  return rs.json<ColumnInfo>();
}
async function tableInfo(store: Store, table: string) {
  const rs = await store.client.query({
    query: 'SELECT engine, sorting_key, partition_key FROM system.tables WHERE database = currentDatabase() AND name = {t:String}',
    query_params: { t: table },
    format: 'JSONEachRow',
  });
  return (await rs.json())[0];
}

/** The migrated table has exactly the declared columns (name, type, codec, order), engine and keys. */
export async function expectDeclared(store: Store) {
  for (const table of DECLARED) {
    const scratch = `declared_${table.name}`;
    await store.client.command({ query: `DROP TABLE IF EXISTS ${scratch}` });
    await store.client.command({ query: table.createSql(scratch) });
    expect(await columnsOf(store, table.name), table.name).toEqual(await columnsOf(store, scratch));
    expect(await tableInfo(store, table.name), table.name).toEqual(await tableInfo(store, scratch));
    await store.client.command({ query: `DROP TABLE ${scratch}` });
  }
}

