import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { bundleSize } from '@fulcrum/web';
import { axeViolations, launchBrowser, openPage, saveScreenshot, waitForRendered } from '../helpers/browser.js';
import { apiGet, demoDataDir, startWebServer, type WebServer } from './web-server.js';
import { firstMatchMs, gotoRendered, heading, kindForms, ROUTES, usdForms, watchFirstMatch } from './dom.js';

/*
 * Every page of the web app on the demo's week, in Debian's chromium: it
 * renders without console errors or requests to another origin, passes axe,
 * reloads to the same view, and shows what the demo is there to show (the
 * runaway session, the worst waste). The overview's first render and the
 * bundle size are measured and printed.
 */

interface Runaway { level: string; entity: string; team: string }
interface WasteCategory { kind: string; costUsd: number }
interface ReportBody { runaways: Runaway[]; waste: { categories: WasteCategory[]; worstSessions: { sessionId: string }[] } }

let web: WebServer;
let browser: Browser;
let report: ReportBody;
let runawayId: string;

beforeAll(async () => {
  const dataDir = await demoDataDir();
  [web, browser] = await Promise.all([startWebServer({ dataDir }), launchBrowser()]);
  report = (await apiGet<ReportBody>(web.url, '/api/reports/waste')).body;
  const sessionRunaways = report.runaways.filter((r) => r.level === 'session');
  expect(sessionRunaways, 'the demo has exactly one runaway session').toHaveLength(1);
  runawayId = sessionRunaways[0]!.entity;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe('the web app on the demo data', () => {
  it('the runaway session is the platform team\'s, in acme/infra', async () => {
    const { body } = await apiGet<{ sessionId: string; team: string; repository: string }[]>(web.url, '/api/sessions?team=platform&limit=500');
    expect(body.find((s) => s.sessionId === runawayId)).toMatchObject({ team: 'platform', repository: 'acme/infra' });
  });

  it('measures the overview\'s first render (navigation start to data and chart drawn)', async () => {
    const { page, context, problems } = await openPage(browser, web.url);
    const assets: string[] = [];
    page.on('response', (res) => {
      const type = res.request().resourceType();
      if (['script', 'stylesheet', 'font', 'image'].includes(type) && res.status() === 200) assets.push(res.url());
    });
    await watchFirstMatch(page, 'main[aria-busy="false"] figure canvas');
    await page.goto(web.url);
    const cold = await firstMatchMs(page);
    await page.reload();
    const warm = await firstMatchMs(page);
    console.log(`[measure] overview first render ${cold} ms (first visit), ${warm} ms (reload)`);
    expect(cold, 'overview first render, generous ceiling').toBeLessThan(10_000);
    expect(problems.consoleErrors).toEqual([]);

    // The bundle as the browser fetched it, gzipped the way a server would send it.
    let raw = 0;
    let gzipped = 0;
    for (const url of new Set(assets)) {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      raw += body.length;
      gzipped += gzipSync(body).length;
    }
    const built = bundleSize();
    console.log(`[measure] bundle as loaded by the overview: ${new Set(assets).size} assets, ${(raw / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped; `
      + `whole build: ${built.files} files, ${(built.bytes / 1024).toFixed(1)} KiB, ${(built.gzipBytes / 1024).toFixed(1)} KiB gzipped`);
    expect(gzipped).toBeGreaterThan(0);
    expect(built.gzipBytes, 'the issue\'s budget: a gzipped bundle of at most 300 KB').toBeLessThanOrEqual(300 * 1000);
    await context.close();
  });

  const pages = () => [...ROUTES.slice(0, 2), { name: 'session', path: `/sessions/${encodeURIComponent(runawayId)}`, heading: `Session ` }, ...ROUTES.slice(2)];

  it('renders every page with no console error, no other origin, no serious axe violation, and reloads to the same view', async () => {
    const { page, context, problems } = await openPage(browser, web.url);
    for (const route of pages()) {
      await gotoRendered(page, web.url, route.path);
      expect(await page.locator('main').count(), route.path).toBe(1);
      expect(await page.locator('main h1').count(), route.path).toBe(1);
      const h1 = await heading(page);
      if (route.name === 'session') expect(h1.startsWith('Session '), h1).toBe(true);
      else expect(h1, route.path).toBe(route.heading);
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const [label, href] of [['Overview', '/'], ['Sessions', '/sessions'], ['Waste', '/waste'], ['Leverage', '/leverage'], ['Outcomes', '/outcomes']]) {
        expect(await nav.getByRole('link', { name: label, exact: true }).getAttribute('href'), label).toBe(href);
      }
      const current = route.name === 'session' ? 'Sessions' : route.heading;
      if (route.name !== 'session') expect(await nav.locator('[aria-current="page"]').textContent(), route.path).toContain(current);
      await saveScreenshot(page, route.name);

      const violations = await axeViolations(page);
      expect(violations, `${route.path}: axe serious/critical violations`).toEqual([]);

      // A deep link reloads to the same view.
      const before = await page.locator('main').innerText();
      await page.reload();
      await waitForRendered(page);
      expect(await page.locator('main').innerText(), `${route.path} after reload`).toBe(before);
      expect(new URL(page.url()).pathname).toBe(route.path.split('?')[0]);
    }
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    expect(problems.crossOrigin).toEqual([]);
    await context.close();
  });

  it('the overview shows the runaway session, linked to its page', async () => {
    const { page, context } = await openPage(browser, web.url);
    await gotoRendered(page, web.url, '/');
    const runaways = page.locator('main section', { has: page.getByRole('heading', { name: 'Runaway spend' }) });
    await expect.poll(() => runaways.count()).toBeGreaterThan(0);
    expect(await runaways.first().innerText()).toContain(runawayId);
    const worst = page.locator('main section, main figure, main div', { has: page.getByRole('heading', { name: 'Worst sessions' }) }).last();
    expect(await worst.locator(`a[href="/sessions/${encodeURIComponent(runawayId)}"]`).count(), 'the runaway is the worst session, linked').toBeGreaterThan(0);
    await context.close();
  });

  it('the waste page shows the biggest waste category with its cost, and the runaway among the worst sessions', async () => {
    const biggest = [...report.waste.categories].sort((a, b) => b.costUsd - a.costUsd)[0]!;
    const { page, context } = await openPage(browser, web.url);
    await gotoRendered(page, web.url, '/waste');
    const row = page.locator('main table tbody tr', { hasText: kindForms(biggest.kind) }).first();
    const text = await row.innerText();
    expect(usdForms(biggest.costUsd).some((f) => text.includes(f)), `"${text}" shows ${biggest.kind}'s ${usdForms(biggest.costUsd).join(' or ')}`).toBe(true);
    expect(await page.locator(`main a[href="/sessions/${encodeURIComponent(report.waste.worstSessions[0]!.sessionId)}"]`).count()).toBeGreaterThan(0);
    for (const table of ['Most wasted files', 'Most wasted commands']) {
      expect(await page.getByText(table, { exact: false }).count(), table).toBeGreaterThan(0);
    }
    await context.close();
  });
});
