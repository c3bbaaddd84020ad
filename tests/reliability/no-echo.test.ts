import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { SECRETS } from './secrets-corpus.js';

/*
 * A refusal names what is wrong, never the request's own text: a secret pasted into
 * a parameter, a header or a body must not come back in the answer (and from there
 * into a proxy's or a client's log). Every request below carries a fake secret in
 * one position and is refused; no answer may contain it.
 */

let store: Store;
let app: FastifyInstance;
let url: string;
const SECRET = SECRETS.github;
const enc = encodeURIComponent(SECRET);

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir('fulcrum-no-echo-') });
  app = await buildApp({ store, analysis: false, limits: { requestsPerSecond: 0 }, apiLimits: { requestsPerSecond: 0 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

const REQUESTS: [string, string, RequestInit][] = [
  ['a JSON body that is not JSON', '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `${SECRET} {` }],
  ['a JSON body with a secret where an object belongs', '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: SECRET }) }],
  ['a span id that is a secret', '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: SECRET, spanId: SECRET }] }] }] }) }],
  ['an unknown content encoding', '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': SECRET }, body: '{}' }],
  ['an unknown content type', '/v1/traces', { method: 'POST', headers: { 'content-type': `text/${SECRET}` }, body: '{}' }],
  ['a JSON charset', '/v1/traces', { method: 'POST', headers: { 'content-type': `application/json; charset=${SECRET}` }, body: '{}' }],
  ['a bad date', `/api/sessions?since=${enc}`, {}],
  ['a bad dimension', `/api/reports/waste?by=${enc}`, {}],
  ['a bad sort', `/api/sessions?sort=${enc}`, {}],
  ['a bad limit', `/api/sessions?limit=${enc}`, {}],
  ['a bad budget', `/api/reports/waste?sessionBudgetUsd=${enc}`, {}],
  ['a bad weight', `/api/leverage?weight.mcp=${enc}`, {}],
  ['another project', `/api/sessions?project=${enc}`, {}],
  ['an unknown session', `/api/sessions/${enc}`, {}],
  ['an unknown route', `/${enc}?token=${enc}`, {}],
];

describe('refusals never echo the request', () => {
  it.each(REQUESTS)('%s', async (_what, path, init) => {
    const res = await fetch(`${url}${path}`, init);
    const body = await res.text();
    // Refused whole (4xx) or item by item (200 with partial_success).
    expect(res.status === 200 ? JSON.parse(body).partialSuccess : res.status).toBeTruthy();
    expect(res.status).toBeLessThan(500);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain(enc);
    expect(body).not.toContain(SECRET.slice(0, 12));
  });
});
