import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, renameSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKey } from '@fulcrum/ingest';
import { buildApp } from '@fulcrum/server';
import { emptySpanRow, openStore, recoverDetachedParts, writeSpanRows, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces } from '../helpers/otlp.js';

let store: Store;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDataDir('fulcrum-healthz-');
  store = await openStore({ dataDir });
});
afterAll(async () => {
  await store?.client.command({ query: 'SYSTEM START MERGES spans' });
  await store?.close();
});

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const traces = (i: number) => jsonTraces([{ traceId: hex(i + 1, 32), spanId: hex(i + 1, 16), attributes: { 'gen_ai.conversation.id': `healthz-${i}` } }]);
const post = (app: Awaited<ReturnType<typeof buildApp>>, i: number) => app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: traces(i) });

/** The real store with a switch that makes its INSERTs fail, as a broken ClickHouse would. */
function switchable(real: Store) {
  const state = { down: false };
  const wrapped: Store = { ...real, insertEncoded: (...a) => (state.down ? Promise.reject(new Error(`Code: 243. Cannot reserve 1.00 MiB on disk, ${dataDir}/store`)) : real.insertEncoded(...a)) };
  return { store: wrapped, state };
}

async function parts(table: string): Promise<{ name: string; path: string; rows: number }[]> {
  const rs = await store.client.query({ query: `SELECT name, path, rows FROM system.parts WHERE database = currentDatabase() AND table = {t:String} AND active ORDER BY modification_time`, query_params: { t: table }, format: 'JSONEachRow' });
  return rs.json();
}

describe('/healthz', () => {
  it('shows no path without a valid key, and the location with one', async () => {
    const app = await buildApp({ store, analysis: false, health: { probeIntervalMs: 0 } });
    const anon = await app.inject({ method: 'GET', url: '/healthz' });
    expect(anon.statusCode).toBe(200);
    expect(anon.json()).toMatchObject({ status: 'ok', reasons: [], store: { kind: 'embedded', reachable: true } });
    expect(anon.json().store).not.toHaveProperty('location');
    expect(anon.body).not.toContain(dataDir);
    expect(anon.body).not.toMatch(/"\/[^"]*\//); // no absolute path anywhere

    const { key } = await createApiKey(store.client, 'health-team');
    await app.reloadApiKeys();
    const wrong = await app.inject({ method: 'GET', url: '/healthz', headers: { authorization: `Bearer ${key.slice(0, -2)}xx` } });
    expect(wrong.body).not.toContain(dataDir);
    const keyed = await app.inject({ method: 'GET', url: '/healthz', headers: { authorization: `Bearer ${key}` } });
    expect(keyed.json().store.location).toBe(dataDir);
    await app.close();
  });

  it('is degraded while inserts fail, with the reason and no path, and ok again once they work', async () => {
    const { store: flaky, state } = switchable(store);
    const app = await buildApp({ store: flaky, auth: { mode: 'off' }, analysis: false, health: { probeIntervalMs: 0 } });
    expect((await post(app, 1)).statusCode).toBe(200);
    state.down = true;
    expect((await post(app, 2)).statusCode).toBe(503);
    const down = await app.inject({ method: 'GET', url: '/healthz' });
    expect(down.statusCode).toBe(503);
    expect(down.json().status).toBe('degraded');
    expect(down.json().reasons.join('\n')).toMatch(/^inserts: an insert failed: Code: 243\. Cannot reserve/m);
    expect(down.body).not.toContain(dataDir);
    state.down = false;
    expect((await post(app, 3)).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });

  it('refuses writes with 503 DISK_LOW and Retry-After below low-water, and says which filesystem, not where', async () => {
    const app = await buildApp({ store, auth: { mode: 'off' }, analysis: false, retryAfterSeconds: 9, health: { probeIntervalMs: 0 }, diskSpace: { lowWaterBytes: Number.MAX_SAFE_INTEGER } });
    const res = await post(app, 4);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('9');
    expect(res.json().message).toMatch(/^disk space low, writes paused, retry later: the data filesystem has \d+ MiB free, below its low-water mark/);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'degraded', disk: { low: true, mergesStopped: true, filesystems: [{ name: 'data', low: true }] } });
    expect(health.body).not.toContain(dataDir);
    // Merges really are stopped in the engine: OPTIMIZE cannot merge while they are.
    await expect(store.client.command({ query: 'OPTIMIZE TABLE spans FINAL' })).rejects.toThrow(/[Cc]ancel|stopped|ABORTED/);
    await app.close();
    // Closing the app does not restart merges; a new app with room does.
    const roomy = await buildApp({ store, analysis: false, health: { probeIntervalMs: 0 }, diskSpace: { lowWaterBytes: 0 } });
    expect(roomy.diskSpace()).toMatchObject({ low: false, mergesStopped: false });
    await roomy.close();
  });

  it('pauses session analysis below low-water (it writes rows too), and analyses once there is room', async () => {
    const analysis = { analyseAfterMs: 0, pollMs: 50 };
    const low = await buildApp({ store, auth: { mode: 'off' }, analysis, health: { probeIntervalMs: 0 }, diskSpace: { lowWaterBytes: Number.MAX_SAFE_INTEGER } });
    await low.ready();
    await new Promise((r) => setTimeout(r, 500));
    expect(low.analyser.analysed).toBe(0);
    await low.close();
    const roomy = await buildApp({ store, auth: { mode: 'off' }, analysis, health: { probeIntervalMs: 0 }, diskSpace: { lowWaterBytes: 0 } });
    await roomy.ready();
    for (let i = 0; i < 100 && roomy.analyser.analysed === 0; i++) await new Promise((r) => setTimeout(r, 50));
    // The sessions the earlier requests stored (healthz-1, healthz-3) were waiting.
    expect(roomy.analyser.analysed).toBeGreaterThanOrEqual(2);
    await roomy.close();
  });

  it('is degraded when a real read of the newest part fails (a part of empty files, as a full disk leaves)', async () => {
    // No background merge may fold the part about to be broken into a new one before the probe reads it.
    await store.client.command({ query: 'SYSTEM STOP MERGES spans' });
    await writeSpanRows(store, [{ ...emptySpanRow(), Timestamp: '1763800000000000000', TraceId: hex(99, 32), SpanId: hex(99, 16), SessionId: 'broken-part' }]);
    const newest = (await parts('spans')).at(-1)!;
    for (const f of readdirSync(newest.path)) if (/\.(cmrk2|mrk2|bin)$/.test(f) && statSync(join(newest.path, f)).size > 0) truncateSync(join(newest.path, f), 0);
    const app = await buildApp({ store, analysis: false, health: { probeIntervalMs: 100 } });
    await app.ready();
    let body: { status: string; reasons: string[] } = { status: '', reasons: [] };
    for (let i = 0; i < 40 && body.status !== 'degraded'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await app.inject({ method: 'GET', url: '/healthz' })).json();
    }
    expect(body.status).toBe('degraded');
    expect(body.reasons.join('\n')).toMatch(/^probe: reading the newest parts failed/m);
    expect(JSON.stringify(body)).not.toContain(dataDir);
    await app.close();
    // Take the broken part out of the way, as a restart would, for the test below.
    await store.client.command({ query: `ALTER TABLE spans DETACH PART '${newest.name}'` });
    const detachedDir = join(newest.path, '..', 'detached');
    renameSync(join(detachedDir, newest.name), join(detachedDir, `broken-on-start_${newest.name}`));
  });
});

describe('detached parts at start', () => {
  it('re-attaches an intact part set aside as broken, leaves a broken one with the reason, and reports both', async () => {
    await writeSpanRows(store, Array.from({ length: 30 }, (_, i) => ({ ...emptySpanRow(), Timestamp: '1763800000000000000', TraceId: hex(77, 32), SpanId: hex(i + 1, 16), SessionId: 'intact-part' })));
    const intact = (await parts('spans')).at(-1)!;
    expect(intact.rows).toBe(30);
    await store.client.command({ query: `ALTER TABLE spans DETACH PART '${intact.name}'` });
    const detachedDir = join(intact.path, '..', 'detached');
    renameSync(join(detachedDir, intact.name), join(detachedDir, `broken-on-start_${intact.name}`));
    const count = async () => Number((await (await store.client.query({ query: `SELECT count() AS n FROM spans FINAL WHERE SessionId = 'intact-part'`, format: 'JSONEachRow' })).json<{ n: number }>())[0]!.n);
    expect(await count()).toBe(0);

    const report = await recoverDetachedParts(store.client);
    const byName = new Map(report.map((p) => [p.name, p]));
    expect(byName.get(`broken-on-start_${intact.name}`)).toMatchObject({ table: 'spans', reason: 'broken-on-start', rows: 30, outcome: 'reattached' });
    expect(await count()).toBe(30);
    const broken = report.find((p) => p.outcome !== 'reattached');
    expect(broken).toMatchObject({ table: 'spans', reason: 'broken-on-start', outcome: 'left' });
    expect(broken!.detail).toMatch(/ClickHouse refused to attach it/);
    // The broken one is still there, under its original name, for an operator to look at.
    expect(readdirSync(detachedDir)).toContain(broken!.name);
  });
});
