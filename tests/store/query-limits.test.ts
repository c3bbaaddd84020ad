import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

/*
 * Every query runs under max_execution_time and max_memory_usage (StoreOptions
 * maxQuerySeconds, maxQueryMemoryBytes), on embedded chDB as on a server;
 * inserts are not cut by the time limit; a query stopped part-way leaves
 * nothing behind for the next one; and the API answers such a query 422.
 */
let store: Store;
const MiB = 1024 ** 2;

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir('fulcrum-query-limits-'), maxQuerySeconds: 1, maxQueryMemoryBytes: 64 * MiB });
});
afterAll(async () => store?.close());

async function rows(query: string): Promise<unknown[]> {
  const rs = await store.client.query({ query, format: 'JSONEachRow' });
  return rs.json();
}

describe('query limits', () => {
  it('stop a query over the time limit, and the next query gets only its own rows', async () => {
    // Rows stream out before the limit hits: chDB would hand them to the next query on the connection.
    await expect(rows('SELECT number, sleepEachRow(0.3) AS z FROM numbers(10) SETTINGS max_block_size = 1')).rejects.toMatchObject({ type: 'TIMEOUT_EXCEEDED' });
    expect(await rows('SELECT 42 AS x')).toEqual([{ x: 42 }]);
  });

  it('a query\'s own settings end with it (chDB applies them to its session), and the limits hold after an insert lifts them', async () => {
    const settings = async () => (await store.client.query({ query: "SELECT getSetting('max_block_size') AS block, getSetting('max_execution_time') AS seconds", format: 'JSONEachRow' })).json<{ block: number; seconds: number }>();
    const [before] = await settings();
    expect(before!.seconds).toBe(1);
    await (await store.client.query({ query: 'SELECT 1', format: 'JSONEachRow', clickhouse_settings: { max_block_size: '1' } })).json();
    await store.client.command({ query: 'SELECT 1', clickhouse_settings: { max_execution_time: 0, max_memory_usage: '0' } });
    expect(await settings()).toEqual([before]);
    await expect(rows('SELECT number, sleepEachRow(0.3) AS z FROM numbers(10) SETTINGS max_block_size = 1')).rejects.toMatchObject({ type: 'TIMEOUT_EXCEEDED' });
  });

  it('stop a query over the memory limit', async () => {
    await expect(rows('SELECT number % 5000000 AS k, count() FROM numbers(20000000) GROUP BY k ORDER BY k LIMIT 1')).rejects.toMatchObject({ type: 'MEMORY_LIMIT_EXCEEDED' });
    expect(await rows('SELECT 43 AS x')).toEqual([{ x: 43 }]);
  });

  it('let an insert run past the time limit', async () => {
    await store.client.command({ query: 'CREATE TABLE big_insert (a UInt64, s String) ENGINE = MergeTree ORDER BY (s, a)' });
    const n = 3_000_000;
    const body = Array.from({ length: n }, (_, i) => `{"a":${i},"s":"${((i * 7919) % 1_000_003).toString(36).repeat(6)}"}`).join('\n');
    const t0 = performance.now();
    await store.insertEncoded('big_insert', ['a', 's'], 'JSONEachRow', body);
    const ms = performance.now() - t0;
    console.log(`query limits: a ${n}-row insert took ${ms.toFixed(0)} ms under a 1 s query limit`);
    expect(await rows('SELECT count() AS n FROM big_insert')).toEqual([{ n }]);
    // It proves something only if it ran longer than the limit.
    expect(ms).toBeGreaterThan(1000);
  }, 60_000);

  it('are answered 422 by the API, naming what to do, with no Retry-After', async () => {
    // One session of a million spans: reading it whole takes more than the 64 MiB a query may use.
    await store.client.command({
      query: `INSERT INTO spans (Timestamp, TraceId, SpanId, Project, SessionId, SpanType, ToolName, ArgsHash, CostUsd, Version)
        SELECT now64(9) - toIntervalSecond(number % 86400), lower(hex(MD5(toString(intDiv(number, 1000))))), toString(number), 'default', 'huge', 'tool', 'Read', toString(number), 0.001, 1
        FROM numbers(1000000)`,
      clickhouse_settings: { max_execution_time: 0, max_memory_usage: '0' },
    });
    const app = await buildApp({ store, analysis: false });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/sessions/huge' });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('QUERY_TOO_EXPENSIVE');
      expect(res.json().error.message).toMatch(/narrow/);
      expect(res.headers['retry-after']).toBeUndefined();
    } finally {
      await app.close();
    }
  }, 60_000);
});
