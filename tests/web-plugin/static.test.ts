import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSize, DEFAULT_APP_DIR, webAppPlugin, WEB_UI_ROUTES } from '@fulcrum/web';
import { tempDataDir } from '../helpers/store.js';

/*
 * The web app's static serving, on the bundle `npm run build` wrote (packages/web/dist/app): the pages answer
 * index.html at every UI route, the hashed assets come with long cache headers and gzip, and the routes the
 * API, docs, health check and OTLP receiver own stay theirs.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INDEX = readFileSync(join(ROOT, 'packages/web/dist/app/index.html'), 'utf8');
const assetPaths = [...INDEX.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  // Stand-ins for the routes other plugins own on the same server.
  app.get('/api/sessions', async () => ({ owner: 'api' }));
  app.get('/openapi.json', async () => ({ owner: 'openapi' }));
  app.get('/docs', async () => ({ owner: 'docs' }));
  app.get('/docs/*', async () => ({ owner: 'docs' }));
  app.get('/healthz', async () => ({ owner: 'health' }));
  app.post('/v1/traces', async () => ({ owner: 'otlp' }));
  await app.register(webAppPlugin);
  await app.ready();
});
afterAll(async () => app?.close());

describe('webAppPlugin', () => {
  it('answers every UI route, deep links included, with the built index.html, never cached', async () => {
    expect(assetPaths.some((p) => p.endsWith('.js'))).toBe(true);
    expect(assetPaths.some((p) => p.endsWith('.css'))).toBe(true);
    for (const url of ['/', '/sessions', '/sessions/demo-20261130-050', '/sessions/a%2Fb%20c', '/waste', '/leverage', '/outcomes', '/sessions?sort=spend&page=2']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.body, url).toBe(INDEX);
    }
    expect(WEB_UI_ROUTES).toEqual(['/', '/sessions', '/sessions/*', '/waste', '/leverage', '/outcomes']);
  });

  it('serves the hashed assets with their type, a year of immutable caching, and gzip when asked', async () => {
    for (const path of assetPaths) {
      const file = readFileSync(join(DEFAULT_APP_DIR, path.slice(1)));
      const plain = await app.inject({ url: path });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['content-type']).toBe(path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload.equals(file)).toBe(true);
      const gz = await app.inject({ url: path, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toBe('accept-encoding');
      expect(gz.rawPayload.length).toBeLessThan(file.length);
      expect(gunzipSync(gz.rawPayload).equals(file)).toBe(true);
      // A revalidation with the same tag is answered without a body.
      const again = await app.inject({ url: path, headers: { 'if-none-match': String(plain.headers.etag) } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
    const missing = await app.inject({ url: '/assets/main-NOTAHASH.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
  });

  it('leaves /api, /openapi.json, /docs, /healthz and /v1 to their own routes, and unknown paths 404', async () => {
    expect((await app.inject({ url: '/api/sessions' })).json()).toEqual({ owner: 'api' });
    expect((await app.inject({ url: '/openapi.json' })).json()).toEqual({ owner: 'openapi' });
    expect((await app.inject({ url: '/docs' })).json()).toEqual({ owner: 'docs' });
    expect((await app.inject({ url: '/docs/static/index.html' })).json()).toEqual({ owner: 'docs' });
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ owner: 'health' });
    expect((await app.inject({ method: 'POST', url: '/v1/traces', payload: {} })).json()).toEqual({ owner: 'otlp' });
    for (const url of ['/api/nope', '/v1/logs', '/favicon.ico', '/sessionsx', '/waste/extra']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toBe(INDEX);
    }
  });

  it('fails at registration, naming `npm run build`, when the bundle is missing', async () => {
    const empty = Fastify();
    await expect(empty.register(webAppPlugin, { appDir: tempDataDir('fulcrum-web-nobundle-') }).ready()).rejects.toThrow(/npm run build/);
    await empty.close();
  });

  it('measures the bundle: index.html, one script and one stylesheet, within 300 KB gzipped', () => {
    const size = bundleSize();
    console.log(`[measure] web app bundle: ${size.files} files, ${(size.bytes / 1024).toFixed(1)} KB, ${(size.gzipBytes / 1024).toFixed(1)} KB gzipped`);
    expect(size.files).toBe(3);
    expect(size.gzipBytes).toBeGreaterThan(0);
    expect(size.gzipBytes).toBeLessThan(size.bytes);
    expect(size.gzipBytes).toBeLessThanOrEqual(300 * 1024);
  });
});
