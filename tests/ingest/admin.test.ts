import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN_FILE, ADMIN_TOKEN_HEADER, readAdminToken, writeAdminToken } from '@fulcrum/ingest';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import type { FastifyInstance } from 'fastify';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces } from '../helpers/otlp.js';

/*
 * The admin routes `fulcrum keys` uses while `fulcrum serve` holds the data
 * directory: loopback only, and only with the token the server wrote there.
 */

let store: Store;
let app: FastifyInstance;
let dir: string;
let token: string;

const admin = (opts: { method?: 'GET' | 'POST'; url: string; body?: unknown; token?: string; remoteAddress?: string }) =>
  app.inject({
    method: opts.method ?? 'POST',
    url: opts.url,
    remoteAddress: opts.remoteAddress ?? '127.0.0.1',
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.token !== undefined ? { [ADMIN_TOKEN_HEADER]: opts.token } : {}) },
    payload: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
const traces = (key?: string) =>
  app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json', ...(key ? { authorization: key } : {}) }, payload: jsonTraces([{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) }]) });

beforeAll(async () => {
  dir = tempDataDir();
  store = await openStore({ dataDir: dir });
  const written = writeAdminToken(dir);
  token = written.token;
  app = await buildApp({ store, admin: { token } });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('admin token file', () => {
  it('is readable by its owner only and read back as written', () => {
    const path = join(dir, ADMIN_TOKEN_FILE);
    expect(existsSync(path)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readAdminToken(dir)).toBe(token);
  });
});

describe('key management through the server', () => {
  it('refuses requests from another machine even with the token', async () => {
    const r = await admin({ url: '/api/admin/keys', body: { project: 'team-a' }, token, remoteAddress: '10.1.2.3' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('ADMIN_ONLY');
  });

  it('refuses loopback requests without the token, or with a wrong one, or with a project key', async () => {
    expect((await admin({ url: '/api/admin/keys', body: { project: 'team-a' } })).statusCode).toBe(401);
    expect((await admin({ url: '/api/admin/keys', body: { project: 'team-a' }, token: token.slice(1) })).statusCode).toBe(401);
    expect((await admin({ method: 'GET', url: '/api/admin/keys', token: 'x' })).statusCode).toBe(401);
  });

  it('creates the first key, which turns auth on at once', async () => {
    expect((await traces()).statusCode).toBe(200);
    const r = await admin({ url: '/api/admin/keys', body: { project: 'team-a', name: 'ci' }, token });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body).toMatchObject({ project: 'team-a', keysBefore: 0, activeKeysBefore: 0, authMode: 'auto', authEnabled: true });
    expect(body.key).toMatch(/^fk_[0-9a-f]{16}_/);
    // No refresh interval to wait for: the server reloaded its keys.
    expect((await traces()).statusCode).toBe(401);
    expect((await traces(`Bearer ${body.key}`)).statusCode).toBe(200);
    // OTEL_EXPORTER_OTLP_HEADERS values sent percent-encoded and not decoded by the exporter.
    expect((await traces(`Bearer%20${body.key}`)).statusCode).toBe(200);
    // A project key is not an admin credential.
    expect((await app.inject({ method: 'GET', url: '/api/admin/keys', headers: { authorization: `Bearer ${body.key}` } })).statusCode).toBe(401);

    const list = await admin({ method: 'GET', url: '/api/admin/keys', token });
    expect(list.json().map((k: { keyId: string; name: string }) => [k.keyId, k.name])).toEqual([[body.keyId, 'ci']]);

    const wrong = await app.inject({ method: 'GET', url: '/api/sessions?project=team-b', headers: { authorization: `Bearer ${body.key}` } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error).toEqual({ code: 'WRONG_PROJECT', message: 'wrong project: the API key is for project "team-a", not "team-b"' });

    const revoked = await admin({ url: `/api/admin/keys/${body.keyId}/revoke`, token });
    expect(revoked.json()).toMatchObject({ revoked: true, activeKeysAfter: 0 });
    expect((await traces(`Bearer ${body.key}`)).statusCode).toBe(403);
    // Auth does not fall open when the last key is revoked.
    expect((await traces()).statusCode).toBe(401);
    expect((await admin({ url: '/api/admin/keys/0000000000000000/revoke', token })).statusCode).toBe(404);
  });

  it('refuses a bad project name', async () => {
    const r = await admin({ url: '/api/admin/keys', body: { project: 'no spaces' }, token });
    expect(r.statusCode).toBe(400);
  });
});
