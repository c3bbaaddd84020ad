import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { seedFloodSpans } from '../bench/flood-seed.js';

/*
 * A flood of expensive API requests gets 429 with Retry-After (per-project rate and
 * concurrency limits, apart from ingest's), and every ingest request sent meanwhile is
 * answered 200. Ingest latency under the flood is a figure, not an assertion here: on a
 * shared 2-core box a timed bound fails on a neighbour's load. `npm run bench:api-flood`
 * measures it (flooded p99 / idle p99, limits on and lifted); the store test
 * tests/store/write-priority.test.ts pins the mechanism that bounds it.
 */
const LOAD_CLIENT = join(import.meta.dirname, '../bench/load-client.js');
const FLOOD_CLIENT = join(import.meta.dirname, 'api-flood-client.js');
const SEED_SPANS = Number(process.env.FULCRUM_FLOOD_SEED_SPANS ?? 1_000_000);

interface LoadReport { offered: number; skipped: number; statuses: Record<string, number>; p50: number; p99: number }
interface FloodReport { statuses: Record<string, number>; withRetryAfter: number; okP50: number; okP99: number }

const run = <T>(script: string, args: string[]) => new Promise<T>((resolve, reject) =>
  execFile(process.execPath, [script, ...args], { timeout: 120_000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(JSON.parse(out.trim()) as T))));

let store: Store;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir('fulcrum-api-flood-') });
  app = await buildApp({ store, limits: { requestsPerSecond: 0 }, analysis: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  console.log(`api flood: seeded ${SEED_SPANS} spans in ${await seedFloodSpans(store, SEED_SPANS)} ms`);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('an /api flood', () => {
  it('is answered 429 with Retry-After beyond the limits while every ingest request is answered 200', async () => {
    const t0 = performance.now();
    const one = await fetch(`${url}/api/reports/waste`);
    expect(one.status).toBe(200);
    const reportMs = performance.now() - t0;

    const [flood, loaded] = await Promise.all([
      run<FloodReport>(FLOOD_CLIENT, [url, '/api/reports/waste', '16', '6', '10']),
      new Promise((r) => setTimeout(r, 1000)).then(() => run<LoadReport>(LOAD_CLIENT, [url, '20', '4', '100', '1', '64'])),
    ]);
    console.log(`api flood: one waste report ${reportMs.toFixed(0)} ms; flood ${JSON.stringify(flood.statuses)} (${flood.withRetryAfter} with Retry-After, 200s p50 ${flood.okP50.toFixed(0)} ms p99 ${flood.okP99.toFixed(0)} ms); ingest under the flood p50 ${loaded.p50.toFixed(1)} p99 ${loaded.p99.toFixed(1)} ms ${JSON.stringify(loaded.statuses)}`);

    expect(loaded.skipped).toBe(0);
    expect(loaded.statuses).toEqual({ 200: loaded.offered });
    expect(flood.statuses['200']).toBeGreaterThan(0);
    expect(flood.statuses['429']).toBeGreaterThan(0);
    expect(flood.withRetryAfter).toBe((flood.statuses['429'] ?? 0) + (flood.statuses['503'] ?? 0));
    expect(Object.keys(flood.statuses).filter((s) => !['200', '429', '503'].includes(s))).toEqual([]);
  }, 120_000);
});
