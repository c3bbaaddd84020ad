import { describe, expect, it } from 'vitest';
import { startServer } from '@fulcrum/server';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, MIGRATIONS_TABLE, lockDataDir, migrate, openStore, readDataDirHolder } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces, post } from '../helpers/otlp.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('restart on the same data directory', () => {
  it('keeps the data and does not rerun migrations', async () => {
    const dataDir = tempDataDir();
    const first = await startServer({ port: 0, store: { dataDir } });
    const res = await post(`${first.url}/v1/traces`, jsonTraces([
      { traceId: TRACE, spanId: 'aaaaaaaaaaaaaaaa', attributes: { 'gen_ai.usage.input_tokens': 42, 'gen_ai.operation.name': 'chat' } },
      { traceId: TRACE, spanId: 'bbbbbbbbbbbbbbbb' },
    ]), 'application/json');
    expect(res.status).toBe(200);
    await first.close();

    const store = await openStore({ dataDir, migrate: false });
    const applied = await store.client.query({ query: `SELECT Id, count() AS times FROM ${MIGRATIONS_TABLE} GROUP BY Id ORDER BY Id`, format: 'JSONEachRow' });
    expect(await applied.json()).toEqual(MIGRATIONS.map((m) => ({ Id: m.id, times: 1 })));
    expect(await migrate(store.client)).toEqual([]);
    const rows = await store.client.query({ query: 'SELECT count() AS n, sum(InputTokens) AS tokens FROM spans FINAL', format: 'JSONEachRow' });
    expect(await rows.json()).toEqual([{ n: 2, tokens: 42 }]);
    await store.close();
  });

  it('refuses a second holder of the same data directory with a message naming it', async () => {
    const dataDir = tempDataDir();
    const server = await startServer({ port: 0, store: { dataDir } });
    // The lock belongs to this process, so a holder check from here sees none; a file written by a live other pid is refused.
    expect(readDataDirHolder(dataDir)).toBeUndefined();
    writeFileSync(join(dataDir, 'fulcrum.lock'), JSON.stringify({ pid: process.ppid, url: 'http://127.0.0.1:9', startedAt: 'x' }));
    expect(() => lockDataDir(dataDir)).toThrow(`data directory ${dataDir} is held by process ${process.ppid} (serving http://127.0.0.1:9)`);
    await server.close();
  });
});
