import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '@fulcrum/ingest';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import type { FastifyInstance } from 'fastify';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces } from '../helpers/otlp.js';

let store: Store;
let app: FastifyInstance;
let keyA: string;
let keyB: string;

const TRACE_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const TRACE_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const send = (key: string | undefined, body: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers }, payload: body });
const get = (key: string | undefined, url: string) => app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir() });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('authentication', () => {
  it('runs without auth while no key exists', async () => {
    app = await buildApp({ store, auth: { refreshMs: 100 } });
    expect(app.authEnabled()).toBe(false);
    const res = await send(undefined, jsonTraces([{ traceId: 'cccccccccccccccccccccccccccccccc', spanId: 'cccccccccccccccc' }]));
    expect(res.statusCode).toBe(200);
    await app.close();
  });

  it('requires a key once one exists, refusing before the body is read', async () => {
    keyA = (await createApiKey(store.client, 'team-a', 'ci')).key;
    keyB = (await createApiKey(store.client, 'team-b')).key;
    app = await buildApp({ store, auth: { refreshMs: 100 } });
    expect(app.authEnabled()).toBe(true);
    // A corrupt gzip body would be a 400 if it were read; no key means 401 first.
    const noKey = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, payload: Buffer.from('not gzip') });
    expect(noKey.statusCode).toBe(401);
    expect(noKey.headers['content-type']).toMatch(/application\/x-protobuf/);
    const wrong = await send(keyA.slice(0, -1) + (keyA.endsWith('A') ? 'B' : 'A'), '{}');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 16 });
    expect((await send('not-a-key', '{}')).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('takes the project from the key, never from the payload', async () => {
    const spoofed = jsonTraces([{ traceId: TRACE_A, spanId: 'aaaaaaaaaaaaaaaa', attributes: { 'gen_ai.conversation.id': 'sess-a', 'gen_ai.operation.name': 'chat' } }], { 'service.name': 'x', 'fulcrum.project': 'team-b' });
    expect((await send(keyA, spoofed)).statusCode).toBe(200);
    expect((await send(keyB, jsonTraces([{ traceId: TRACE_B, spanId: 'bbbbbbbbbbbbbbbb', attributes: { 'gen_ai.conversation.id': 'sess-b' } }]))).statusCode).toBe(200);
    const rs = await store.client.query({ query: 'SELECT Project, SessionId FROM spans FINAL WHERE TraceId IN ({a:String}, {b:String}) ORDER BY Project', query_params: { a: TRACE_A, b: TRACE_B }, format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ Project: 'team-a', SessionId: 'sess-a' }, { Project: 'team-b', SessionId: 'sess-b' }]);
  });

  it('lets a key read only its own project', async () => {
    await app.spanWriter.flush();
    await app.analyser.runNow(0);
    const a = await get(keyA, '/api/sessions?since=2000-01-01');
    expect(a.statusCode).toBe(200);
    expect(a.json().map((s: { sessionId: string }) => s.sessionId)).toEqual(['sess-a']);
    expect((await get(keyA, '/api/sessions/sess-b?since=2000-01-01')).statusCode).toBe(404);
    expect((await get(keyA, '/api/sessions?project=team-b')).statusCode).toBe(403);
    expect((await get(undefined, '/api/sessions')).statusCode).toBe(401);
  });

  it('answers hostile query strings with 4xx and no other project data', async () => {
    const hostile = ["' OR 1=1 --", 'sess-b\' UNION SELECT * FROM spans --', '%00', '{project:String}', "\\'; DROP TABLE spans; --", 'x'.repeat(5000)];
    for (const h of hostile) {
      const e = encodeURIComponent(h);
      for (const url of [`/api/sessions/${e}`, `/api/sessions?team=${e}`, `/api/sessions?repository=${e}&since=${e}`, `/api/reports/waste?by=${e}`, `/api/leverage?harness=${e}&useCase=${e}`]) {
        const res = await get(keyA, url);
        expect(res.statusCode, url).toBeLessThan(500);
        expect(res.body).not.toContain(TRACE_B);
        expect(res.body).not.toContain('team-b');
      }
    }
    const count = await store.client.query({ query: 'SELECT count() AS n FROM spans FINAL', format: 'JSONEachRow' });
    expect((await count.json<{ n: number }>())[0]!.n).toBe(3);
  });

  it('answers 403 for a revoked key', async () => {
    const keyId = keyB.split('_')[1]!;
    expect(await revokeApiKey(store.client, keyId)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const res = await send(keyB, '{}');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 7 });
  });
});
