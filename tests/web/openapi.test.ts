import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { launchBrowser, openPage, saveScreenshot } from '../helpers/browser.js';
import { tempDataDir } from '../helpers/store.js';
import { startWebServer, type WebServer } from './web-server.js';

/*
 * The API's description: /openapi.json is valid OpenAPI 3.1 with a bearer
 * scheme, the error answers every operation can give, each endpoint's own
 * parameters and named schemas; /docs renders it in the browser from the
 * npm package, nothing fetched elsewhere.
 */

interface Operation { parameters?: { name: string; in: string }[]; responses: Record<string, unknown>; security?: unknown[] }
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, { type: string; scheme?: string }> };
  security?: unknown[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const ERROR_STATUSES = ['400', '401', '403', '429', '503'];

let web: WebServer;
let browser: Browser;
let doc: OpenApiDoc;

beforeAll(async () => {
  [web, browser] = await Promise.all([startWebServer({ dataDir: tempDataDir('fulcrum-web-openapi-') }), launchBrowser()]);
  const res = await fetch(`${web.url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApiDoc;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

/** The /api operations, as [path, method, operation]. */
const apiOperations = () => Object.entries(doc.paths)
  .filter(([path]) => path.startsWith('/api/'))
  .flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => [path, m, item[m]!] as const));

describe('GET /openapi.json', () => {
  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('declares a bearer security scheme that the API operations require', () => {
    const bearer = Object.entries(doc.components?.securitySchemes ?? {}).filter(([, s]) => s.type === 'http' && s.scheme?.toLowerCase() === 'bearer');
    expect(bearer.length).toBe(1);
    const name = bearer[0]![0];
    for (const [path, method, op] of apiOperations()) {
      const security = JSON.stringify(op.security ?? doc.security ?? []);
      expect(security, `${method} ${path}`).toContain(name);
    }
  });

  it('gives every /api operation the 400, 401, 403, 429 and 503 answers', () => {
    const ops = apiOperations();
    expect(ops.map(([p]) => p)).toEqual(expect.arrayContaining(['/api/sessions', '/api/sessions/{id}', '/api/reports/waste', '/api/leverage', '/api/outcomes', '/api/timeseries']));
    for (const [path, method, op] of ops) {
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['200', ...ERROR_STATUSES]));
    }
  });

  it('gives each endpoint its own parameters', () => {
    const params = (path: string) => (doc.paths[path]!.get!.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    const session = params('/api/sessions/{id}');
    expect(session).toContain('path:id');
    expect(session).not.toContain('query:worst');
    expect(session).not.toContain('query:sort');
    expect(params('/api/sessions')).toEqual(expect.arrayContaining(['query:sort', 'query:order', 'query:limit', 'query:offset', 'query:team']));
    expect(params('/api/sessions')).not.toContain('query:worst');
    expect(params('/api/reports/waste')).toContain('query:worst');
    expect(params('/api/timeseries')).toContain('query:bucket');
    for (const [path, method, op] of apiOperations()) {
      const names = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(new Set(names).size, `${method} ${path}: no parameter twice`).toBe(names.length);
    }
  });

  it('names its schemas (no def-0) and refers to them', () => {
    const names = Object.keys(doc.components?.schemas ?? {});
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((n) => /^def-\d+$/.test(n))).toEqual([]);
    const text = JSON.stringify(doc.paths);
    expect(text).toContain('#/components/schemas/');
    expect(text).not.toMatch(/def-\d+/);
  });
});

describe('GET /docs', () => {
  it('returns HTML that renders the operations in the browser, with nothing from another origin', async () => {
    const res = await fetch(`${web.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<html/i);

    const { page, context, problems } = await openPage(browser, web.url);
    await page.goto(`${web.url}/docs`);
    const blocks = page.locator('.opblock');
    await blocks.first().waitFor({ timeout: 20_000 });
    const operations = Object.values(doc.paths).flatMap((item) => METHODS.filter((m) => item[m])).length;
    await expect.poll(() => blocks.count()).toBe(operations);
    const shownPaths = (await page.locator('.opblock-summary-path').allInnerTexts()).map((t) => t.replace(/[\u200b\s]/g, ''));
    expect(shownPaths).toEqual(expect.arrayContaining(['/api/sessions', '/api/sessions/{id}']));
    await saveScreenshot(page, 'docs');
    expect(problems.crossOrigin).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });
});
