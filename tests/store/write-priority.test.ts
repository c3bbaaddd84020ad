import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

/*
 * The embedded store runs one call at a time on chDB's one session. Writes wait ahead
 * of reads, so an ingest INSERT that arrives behind a queue of reports waits for the one
 * query already running, not for all of them: that bounds ingest latency under an /api flood.
 */
let store: Store;

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir('fulcrum-write-priority-') });
  await store.client.command({ query: 'CREATE TABLE priority_probe (At DateTime64(6), Tag String) ENGINE = MergeTree ORDER BY At' });
});
afterAll(async () => store?.close());

describe('embedded store call order', () => {
  it('runs an INSERT queued behind three slow reads right after the read already running', async () => {
    const finished: string[] = [];
    // Each read takes ~0.3 s of the engine; the order they finish in is the order they ran.
    const slowRead = (tag: string) => store.client.query({ query: 'SELECT sum(sleepEachRow(0.1)) AS s FROM numbers(3) SETTINGS max_block_size = 1', format: 'JSONEachRow' })
      .then((r) => r.json())
      .then(() => finished.push(tag));
    const reads = [slowRead('read 1'), slowRead('read 2'), slowRead('read 3')];
    await new Promise((r) => setTimeout(r, 50)); // read 1 is running, reads 2 and 3 wait
    const write = store.client.command({ query: "INSERT INTO priority_probe VALUES (now64(6), 'ingest')" }).then(() => finished.push('insert'));
    await Promise.all([...reads, write]);

    expect(finished).toEqual(['read 1', 'insert', 'read 2', 'read 3']);
    const rows = await (await store.client.query({ query: 'SELECT Tag FROM priority_probe', format: 'JSONEachRow' })).json();
    expect(rows).toEqual([{ Tag: 'ingest' }]);
  });

  it('keeps the order of reads among themselves and of writes among themselves', async () => {
    const finished: string[] = [];
    const read = (tag: string) => store.client.query({ query: 'SELECT sleepEachRow(0.2) FROM numbers(1)', format: 'JSONEachRow' }).then((r) => r.json()).then(() => finished.push(tag));
    const write = (tag: string) => store.client.insert({ table: 'priority_probe', values: [{ At: '2026-01-01 00:00:00', Tag: tag }], format: 'JSONEachRow' }).then(() => finished.push(tag));
    const first = read('r1');
    await new Promise((r) => setTimeout(r, 20)); // r1 is running; the rest arrive while it runs
    await Promise.all([first, read('r2'), write('w1'), read('r3'), write('w2')]);
    expect(finished).toEqual(['r1', 'w1', 'w2', 'r2', 'r3']);
  });

  it('lets a waiting read run after two writes pass it, so steady ingest never starves reports', async () => {
    const finished: string[] = [];
    const read = (tag: string, seconds: number) => store.client.query({ query: `SELECT sleepEachRow(${seconds}) FROM numbers(1)`, format: 'JSONEachRow' }).then((r) => r.json()).then(() => finished.push(tag));
    const write = (tag: string) => store.client.insert({ table: 'priority_probe', values: [{ At: '2026-01-02 00:00:00', Tag: tag }], format: 'JSONEachRow' }).then(() => finished.push(tag));
    const first = read('running', 0.2);
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([first, read('report', 0), ...['w1', 'w2', 'w3', 'w4', 'w5'].map(write)]);
    expect(finished).toEqual(['running', 'w1', 'w2', 'report', 'w3', 'w4', 'w5']);
  });
});
