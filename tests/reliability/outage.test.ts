import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Spool } from '@fulcrum/ingest';
import { buildApp } from '@fulcrum/server';
import { emptySpanRow, encodeSpanRows, openStore, writeEncodedSpans, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces } from '../helpers/otlp.js';

let real: Store;

/** The real chDB store behind a switch that makes its INSERTs fail, as an unreachable ClickHouse would. */
function switchable(store: Store) {
  const state = { down: false };
  const wrapped: Store = { ...store, insertEncoded: (...a) => (state.down ? Promise.reject(new Error('connect ECONNREFUSED clickhouse:8123')) : store.insertEncoded(...a)) };
  return { store: wrapped, state };
}

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const batch = (i: number, spans = 20) =>
  jsonTraces(Array.from({ length: spans }, (_, k) => ({ traceId: hex(i + 1, 32), spanId: hex(i * 1000 + k + 1, 16), attributes: { 'gen_ai.conversation.id': `outage-${i}` } })));

async function stored(prefix: string): Promise<number> {
  const rs = await real.client.query({ query: 'SELECT count() AS n FROM spans FINAL WHERE startsWith(SessionId, {p:String})', query_params: { p: prefix }, format: 'JSONEachRow' });
  return (await rs.json<{ n: number }>())[0]!.n;
}

beforeAll(async () => {
  real = await openStore({ dataDir: tempDataDir() });
});
afterAll(async () => real?.close());

describe('store outage', () => {
  it('answers only 200 (spooled) or 503 while ClickHouse is down, and stores exactly what it acknowledged after recovery', async () => {
    const { store, state } = switchable(real);
    const spoolDir = join(tempDataDir(), 'spool');
    const app = await buildApp({ store, spoolDir, spoolMaxBytes: 40_000, limits: { requestsPerSecond: 0 } });
    state.down = true;
    const statuses: number[] = [];
    let acked = 0;
    for (let i = 0; i < 30; i++) {
      const res = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: batch(i) });
      statuses.push(res.statusCode);
      if (res.statusCode === 200) acked += 20;
      else expect(res.headers['retry-after']).toBeDefined();
    }
    expect(new Set(statuses)).toEqual(new Set([200, 503])); // the spool filled up: 200 until then, 503 after
    expect(acked).toBeGreaterThan(0);
    expect(app.spanWriter.queued).toBe(0);
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.batch')).length).toBe(acked / 20);
    expect(await stored('outage-')).toBe(0);

    state.down = false;
    await app.close(); // closing drains the spool
    expect(await stored('outage-')).toBe(acked);
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.batch'))).toEqual([]);
  });

  it('replays a spool left by a crashed process on start, without duplicating rows already stored', async () => {
    const dir = join(tempDataDir(), 'spool');
    const lost = new Spool({ dir, drainInto: () => Promise.reject(new Error('down')) });
    const rows = Array.from({ length: 50 }, (_, i) => ({ ...emptySpanRow(), Timestamp: '1763800000000000000', TraceId: hex(7777, 32), SpanId: hex(i + 1, 16), SessionId: 'replay-1' }));
    const body = encodeSpanRows(rows);
    expect(lost.append(body, rows.length)).toEqual({ status: 'success' });
    lost.close();
    await writeEncodedSpans(real, encodeSpanRows(rows.slice(0, 20))); // the INSERT had landed partly before the crash
    const restarted = new Spool({ dir, drainInto: (b) => writeEncodedSpans(real, b) });
    await restarted.drain();
    restarted.close();
    expect(restarted.pending).toEqual({ bytes: 0, rows: 0 });
    expect(await stored('replay-')).toBe(50);
  });
});

describe('limits', () => {
  it('answers 429 with Retry-After once a project exceeds its rate', async () => {
    const app = await buildApp({ store: real, limits: { requestsPerSecond: 2, burst: 3 } });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: '{}' });
      codes.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(res.json()).toMatchObject({ code: 8 });
      }
    }
    expect(codes.slice(0, 3)).toEqual([200, 200, 200]);
    expect(codes.slice(3)).toContain(429);
    await app.close();
  });

  it('answers 503 with Retry-After while too many rows wait for the store', async () => {
    const { store, state } = switchable(real);
    const app = await buildApp({ store, spoolDir: join(tempDataDir(), 'spool'), limits: { requestsPerSecond: 0, maxQueuedRows: 30 } });
    state.down = true;
    expect((await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: batch(100, 40) })).statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: batch(101) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    state.down = false;
    await app.close();
  });
});
