import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApiKey } from '@fulcrum/ingest';
import { launchBrowser, openPage, waitForRendered } from '../helpers/browser.js';
import { llm, loop, send, T0, type SessionSpec } from '../query/fixtures.js';
import { apiGet, demoDataDir, startWebServer, waitUntil, type WebServer } from './web-server.js';
import { gotoRendered, ROUTES, tableSessionIds } from './dom.js';

/*
 * Auth on: the page asks for a key, shows the key's project and nothing of
 * any other (project B's sessions, the demo's week in "default"), never puts
 * the key in a URL, and keeps it for the tab across a reload.
 */

let web: WebServer;
let browser: Browser;
let keyA: string;
const A_SESSIONS = ['alpha-session-one', 'alpha-session-two'];
const B_SESSION = 'bravo-secret-session';

/** A small session an hour ago, inside any time range the page picks. */
const session = (id: string, team: string): SessionSpec => ({
  session: id, team, repository: `acme/${team}`, offsetMs: Date.now() - T0 - 3_600_000,
  spans: [...loop([{ tool: 'Read', hash: 'same' }, { tool: 'Read', hash: 'same' }, { tool: 'Read', hash: 'same' }], 0.02), llm('m9', 9000, 0.05)],
});

beforeAll(async () => {
  const dataDir = await demoDataDir();
  [web, browser] = await Promise.all([startWebServer({ dataDir }), launchBrowser()]);
  const client = web.server.app.store.client;
  keyA = (await createApiKey(client, 'alpha', 'browser test')).key;
  const keyB = (await createApiKey(client, 'bravo')).key;
  // Both ports read the keys: the ingest port takes the sessions, the web port answers the page.
  await waitUntil('auth on at the ingest port', () => web.server.app.authEnabled(), (on) => on);
  await waitUntil('auth on at the web port', async () => {
    const res = await fetch(`${web.url}/api/sessions`);
    await res.arrayBuffer();
    return res.status;
  }, (s) => s === 401);
  for (const id of A_SESSIONS) await send(web.otlpUrl, [session(id, 'alpha-team')], { authorization: `Bearer ${keyA}` });
  await send(web.otlpUrl, [session(B_SESSION, 'bravo-team')], { authorization: `Bearer ${keyB}` });
  await waitUntil('A\'s sessions analysed', async () => (await apiGet<unknown[]>(web.url, '/api/sessions', keyA)).body.length, (n) => n === A_SESSIONS.length);
  await waitUntil('B\'s session analysed', async () => (await apiGet<unknown[]>(web.url, '/api/sessions', keyB)).body.length, (n) => n === 1);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

/** Chromium logs every 401 answer as a console error; those are the point here, anything else is not. */
const unexpectedErrors = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

/** Everything of the page a person could see or a script could read: no other project's id may be in it. */
const pageText = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { outerHTML: string } } }).document.documentElement.outerHTML);

describe('the web app with auth on', () => {
  it('asks for a key, then shows project A\'s sessions and nothing of B or of the demo', async () => {
    const { page, context, problems } = await openPage(browser, web.url);
    const urls: string[] = [];
    page.on('request', (req) => urls.push(req.url()));
    await page.goto(`${web.url}/sessions`);
    const form = page.getByRole('form', { name: 'API key' });
    await form.waitFor();
    expect(await page.locator('main table tbody tr').count()).toBe(0);

    await form.getByLabel('API key').fill(keyA);
    expect(await form.getByLabel('API key').getAttribute('type')).toBe('password');
    await form.getByRole('button', { name: 'Use key' }).click();
    await waitForRendered(page);
    await expect.poll(() => tableSessionIds(page)).toEqual(expect.arrayContaining(A_SESSIONS));
    expect((await tableSessionIds(page)).sort()).toEqual([...A_SESSIONS].sort());
    // Kept for the tab only: in sessionStorage, not in localStorage or a cookie that outlive it.
    const kept = await page.evaluate(() => {
      type Storage = { getItem(k: string): string | null; length: number; key(i: number): string | null };
      const g = globalThis as unknown as { sessionStorage: Storage; localStorage: Storage; document: { cookie: string } };
      const local = Array.from({ length: g.localStorage.length }, (_, i) => g.localStorage.getItem(g.localStorage.key(i) ?? '') ?? '');
      return { session: g.sessionStorage.getItem('fulcrum.apiKey'), local, cookie: g.document.cookie };
    });
    expect(kept.session).toBe(keyA);
    expect(kept.local.filter((v) => v.includes(keyA))).toEqual([]);
    expect(kept.cookie).not.toContain(keyA);

    for (const route of [...ROUTES, { path: `/sessions/${A_SESSIONS[0]}` }]) {
      await gotoRendered(page, web.url, route.path);
      expect(await page.getByRole('form', { name: 'API key' }).count(), `${route.path} does not ask again`).toBe(0);
      const html = await pageText(page);
      expect(html, route.path).not.toContain(B_SESSION);
      expect(html, route.path).not.toContain('bravo');
      expect(html, route.path).not.toMatch(/demo-\d{8}-\d{3}/);
    }

    expect(unexpectedErrors(problems.consoleErrors)).toEqual([]);
    expect(problems.crossOrigin).toEqual([]);

    // B's data through A's key: refused or empty, from inside the page as any script there would ask.
    const answers = await page.evaluate(async ([key, bId]) => {
      const f = (globalThis as unknown as { fetch(u: string, i: unknown): Promise<{ status: number; text(): Promise<string> }> }).fetch;
      const get = async (u: string) => {
        const res = await f(u, { headers: { authorization: `Bearer ${key}` } });
        return { status: res.status, body: await res.text() };
      };
      return { project: await get('/api/sessions?project=bravo'), session: await get(`/api/sessions/${bId}`), report: await get('/api/reports/waste?project=bravo') };
    }, [keyA, B_SESSION] as const);
    expect(answers.project.status).toBe(403);
    expect(answers.session.status).toBe(404);
    expect(answers.report.status).toBe(403);
    for (const a of Object.values(answers)) expect(a.body).not.toContain(B_SESSION);

    expect(urls.filter((u) => u.includes(keyA)), 'the key is never in a URL').toEqual([]);
    expect(page.url()).not.toContain(keyA);
    await context.close();
  });

  it('keeps the key for the tab across a reload, and a new tab asks again', async () => {
    const { page, context } = await openPage(browser, web.url);
    await page.goto(`${web.url}/`);
    const form = page.getByRole('form', { name: 'API key' });
    await form.getByLabel('API key').fill(keyA);
    await form.getByRole('button', { name: 'Use key' }).click();
    await waitForRendered(page);
    await gotoRendered(page, web.url, '/sessions');
    const shown = await tableSessionIds(page);
    expect(shown.sort()).toEqual([...A_SESSIONS].sort());
    await page.reload();
    await waitForRendered(page);
    expect(await page.getByRole('form', { name: 'API key' }).count()).toBe(0);
    expect((await tableSessionIds(page)).sort()).toEqual(shown);

    const other = await context.newPage();
    await other.goto(`${web.url}/sessions`);
    await other.getByRole('form', { name: 'API key' }).waitFor();
    await context.close();
  });

  it('a wrong key shows the API\'s error and the form again', async () => {
    const { page, context, problems } = await openPage(browser, web.url);
    await page.goto(`${web.url}/sessions`);
    const form = page.getByRole('form', { name: 'API key' });
    await form.getByLabel('API key').fill(`${keyA.slice(0, -4)}AAAA`);
    await form.getByRole('button', { name: 'Use key' }).click();
    await page.getByRole('alert').first().waitFor();
    await form.waitFor();
    expect(await page.locator('main table tbody tr').count()).toBe(0);
    expect(unexpectedErrors(problems.consoleErrors)).toEqual([]);
    await context.close();
  });
});
