import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

const CLIENT = join(import.meta.dirname, '../bench/load-client.js');
const SPANS = 100;
// The ceiling a user sizes the container by; the idle server is ~300 MiB with chDB loaded.
const RSS_CEILING = 1.2 * 1024 ** 3;

interface Report { offered: number; statuses: Record<string, number>; ackedSpans: number; p50: number; p99: number }
let store: Store;

/** Runs the open-loop load client (a separate process, so it does not share the server's CPU accounting). */
function load(url: string, rate: number, seconds: number, run: number, maxInFlight: number): Promise<Report> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [CLIENT, url, String(rate), String(seconds), String(SPANS), String(run), String(maxInFlight)], { timeout: 90_000 }, (err, out) => (err ? reject(err) : resolve(JSON.parse(out.trim())))),
  );
}

async function serve(limits: Parameters<typeof buildApp>[0]['limits']) {
  const app = await buildApp({ store, limits });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

async function stored(run: number): Promise<number> {
  const rs = await store.client.query({ query: 'SELECT count() AS n FROM spans FINAL WHERE startsWith(TraceId, {p:String})', query_params: { p: run.toString(16).padStart(8, '0') }, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: number }>())[0]!.n);
}

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir('fulcrum-overload-') });
});
afterAll(async () => store?.close());

describe('overload at 3x measured capacity', () => {
  it('answers only 200, 429 or 503 (never 500 or a dropped connection), keeps RSS under the ceiling, stores what it acknowledged', async () => {
    // Capacity: what the server completes with a few requests in flight and no limits.
    const probe = await serve({ requestsPerSecond: 0 });
    const cap = await load(probe.url, 400, 3, 1, 4);
    await probe.app.close();
    const capacity = (cap.statuses['200'] ?? 0) / 3;
    expect(capacity).toBeGreaterThan(5);

    // The limits a deployment would set: the project may use about its share, queues stay short.
    const { app, url } = await serve({ requestsPerSecond: Math.ceil(capacity * 1.5), maxQueuedRows: 20 * SPANS });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const over = await load(url, Math.ceil(capacity * 3), 8, 2, 4096);
    clearInterval(sampler);
    console.log(`overload: capacity ${capacity.toFixed(0)} req/s, offered ${over.offered} at 3x: ${JSON.stringify(over.statuses)}, p99 ${over.p99.toFixed(0)} ms, peak RSS ${(peakRss / 1024 ** 2).toFixed(0)} MiB`);

    expect(Object.keys(over.statuses).filter((s) => !['200', '429', '503'].includes(s))).toEqual([]);
    expect((over.statuses['429'] ?? 0) + (over.statuses['503'] ?? 0)).toBeGreaterThan(0); // the load really was too much
    expect(over.statuses['200'] ?? 0).toBeGreaterThan(0); // and the server kept serving through it
    expect(peakRss).toBeLessThan(RSS_CEILING);

    await app.spanWriter.flush();
    expect(await stored(2)).toBe(over.ackedSpans);
    // Once the flood stops, a new request is accepted.
    const after = await load(url, 5, 1, 3, 4);
    expect(after.statuses).toEqual({ 200: 5 });
    await app.close();
  }, 60_000);
});
