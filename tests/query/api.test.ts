import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { tempDataDir } from '../helpers/store.js';
import { loop, send, spanIdOf } from './fixtures.js';

let server: RunningServer;
const get = (url: string) => server.app.inject({ method: 'GET', url });

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  await send(server.url, [
    { session: 's-loop', team: 'payments', spans: loop([1, 2, 3].map(() => ({ tool: 'WebFetch', hash: 'h' })), 0.5) },
    { session: 's-ok', team: 'mobile', user: 'alice', spans: loop([{ tool: 'Write', hash: 'w', extra: { 'fulcrum.file.path': 'a.ts', 'fulcrum.lines.added': 50 } }], 1) },
  ]);
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
});
afterAll(async () => server?.close());

describe('query API', () => {
  it('lists sessions, sorted and filtered, without user ids unless opted in', async () => {
    const res = await get('/api/sessions?sort=spend');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.map((s: { sessionId: string }) => s.sessionId)).toEqual(['s-loop', 's-ok']);
    expect(body[0]).toMatchObject({ team: 'payments', spendUsd: 1.5, toolCalls: 3, wasteUsd: 1 });
    expect(body[1].userId).toBeUndefined();
    const mine = (await get('/api/sessions?individual=true&user=alice')).json();
    expect(mine).toEqual([expect.objectContaining({ sessionId: 's-ok', userId: 'alice', linesAdded: 50 })]);
  });
  it('returns one session as a tree with waste marked inline, 404 for an unknown one', async () => {
    const res = await get('/api/sessions/s-loop');
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.findings.map((f: { kind: string }) => f.kind)).toEqual(['repeated_call']);
    const marked = d.roots[0].children.filter((n: { waste: string[] }) => n.waste.length > 0).map((n: { spanId: string }) => n.spanId);
    expect(marked).toEqual([spanIdOf('s-loop', 't2'), spanIdOf('s-loop', 't3')]);
    const missing = await get('/api/sessions/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });
  it('reports waste and leverage', async () => {
    const r = (await get('/api/reports/waste?by=team')).json();
    expect(r.total).toMatchObject({ sessions: 2, spendUsd: 2.5 });
    expect(r.waste.categories).toEqual([{ kind: 'repeated_call', findings: 1, spans: 2, tokens: 2000, costUsd: 1, estimated: false }]);
    const l = (await get('/api/leverage?by=team')).json();
    expect(l.groups.map((g: { key: string; leverage: number }) => [g.key, g.leverage])).toEqual([['payments', 0], ['mobile', 50]]);
  });
  it('rejects bad parameters with 400 naming the parameter, and other projects with 403', async () => {
    const bad = await get('/api/sessions?since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/since/);
    expect((await get('/api/leverage?by=user')).statusCode).toBe(400);
    expect((await get('/api/sessions?project=other')).statusCode).toBe(403);
  });
  it('serves the OpenAPI document at /openapi.json, with every endpoint and only those', async () => {
    const doc = (await get('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/leverage', '/api/outcomes', '/api/reports/waste', '/api/reports/waste/hotspots', '/api/sessions', '/api/sessions/{id}', '/api/timeseries']);
  });
  it('answers a parameter the endpoint does not take with 400, not silently', async () => {
    const res = await get('/api/sessions?tem=platform');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/unknown query parameter; \/api\/sessions takes project, since/);
    expect(res.body).not.toContain('tem=');
  });
});
