import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, saveScreenshot } from '../helpers/browser.js';
import { tempDataDir } from '../helpers/store.js';
import { llm, send, spanIdOf, T0, tool, type SpanSpec } from '../query/fixtures.js';
import { apiGet, startWebServer, waitUntil, type WebServer } from './web-server.js';
import { firstMatchMs, spanRowInView, watchFirstMatch } from './dom.js';

/*
 * A session of 5,000 spans, sent through OTLP and analysed by the server,
 * opened in the browser: the list is virtualised (a few rows in the DOM, not
 * 5,000), renders and scrolls to its last row quickly. Timings are printed.
 */

const SESSION = 'big-session-5000';
const PAIRS = 2_500; // a model call and its tool call each, minus one for the session span
const FILES = ['src/index.ts', 'src/app.ts', 'README.md', 'src/db/schema.ts', 'test/app.test.ts'];

/** The file or command of tool call i: what its row must show. */
const targetOf = (i: number) => (i % 7 === 0 ? `npm test -- shard ${i % 11}` : FILES[i % FILES.length]!);

/** Model call i issues tool call i: reads of a handful of files (so some repeat into findings) and commands. */
function spans(): SpanSpec[] {
  const out: SpanSpec[] = [];
  for (let i = 1; i < PAIRS; i++) {
    out.push(llm(`m${i}`, i * 1000, 0.002, 1200));
    out.push(i % 7 === 0
      ? tool(`t${i}`, i * 1000 + 500, 'Bash', `cmd-${i % 11}`, { 'fulcrum.command': targetOf(i) })
      : tool(`t${i}`, i * 1000 + 500, 'Read', `read-${targetOf(i)}-${i % 13}`, { 'fulcrum.file.path': targetOf(i), 'fulcrum.tool.result_size': 2000 }));
  }
  out.push(llm(`m${PAIRS}`, PAIRS * 1000, 0.002, 1200));
  return out;
}

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  [web, browser] = await Promise.all([startWebServer({ dataDir: tempDataDir('fulcrum-web-big-') }), launchBrowser()]);
  // Three hours ago, inside any time range the page picks.
  await send(web.otlpUrl, [{ session: SESSION, team: 'platform', repository: 'acme/big', offsetMs: Date.now() - T0 - 3 * 3_600_000, spans: spans() }]);
  // Read each answer whole: an unread body keeps its connection busy, and the server's close waits for it.
  const listed = async () => ((await apiGet<{ sessionId: string }[]>(web.url, '/api/sessions')).body).map((s) => s.sessionId);
  await waitUntil('the session analysed', listed, (ids) => ids.includes(SESSION), 30_000);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe('a session of 5,000 spans in the browser', () => {
  it('renders a virtualised list quickly and scrolls to its last row', async () => {
    const { body } = await apiGet<{ spans: number; spendUsd: number; wasteUsd: number; findings: unknown[] }>(web.url, `/api/sessions/${SESSION}`);
    expect(body.spans).toBe(2 * PAIRS);
    // Its re-reads are waste, and the waste is a part of what the session cost, never more (carried results fit the requests' context).
    expect(body.findings.length).toBeGreaterThan(0);
    expect(body.wasteUsd).toBeGreaterThan(0);
    expect(body.wasteUsd).toBeLessThanOrEqual(body.spendUsd);
    console.log(`[measure] session of 5000 spans: spend $${body.spendUsd.toFixed(2)}, waste $${body.wasteUsd.toFixed(2)} in ${body.findings.length} findings`);

    const { page, context, problems } = await openPage(browser, web.url);
    await watchFirstMatch(page, 'main[aria-busy="false"] [data-testid="span-list"] [data-span-id]');
    await page.goto(`${web.url}/sessions/${SESSION}`);
    const rendered = await firstMatchMs(page, 20_000);
    console.log(`[measure] session of ${2 * PAIRS} spans: first rows rendered ${rendered} ms after navigation start`);
    expect(rendered, 'generous ceiling').toBeLessThan(10_000);

    const rows = await page.locator('[data-testid="span-list"] [data-span-id]').count();
    console.log(`[measure] session of ${2 * PAIRS} spans: ${rows} row elements in the DOM`);
    expect(rows, 'virtualised: only the rows in view (and a margin) are in the DOM').toBeLessThan(200);
    expect(rows).toBeGreaterThan(5);
    await saveScreenshot(page, 'session-5000-top');

    // Every tool row in view shows its file or command.
    const toolRows = new Map(Array.from({ length: PAIRS - 1 }, (_, k) => [spanIdOf(SESSION, `t${k + 1}`), targetOf(k + 1)]));
    const shown = await page.locator('[data-testid="span-list"] [data-span-id]').evaluateAll((els) => els.map((el) => [el.getAttribute('data-span-id') ?? '', (el as unknown as { innerText: string }).innerText] as const));
    const tools = shown.filter(([id]) => toolRows.has(id));
    expect(tools.length).toBeGreaterThan(3);
    expect(tools.filter(([id, text]) => !text.includes(toolRows.get(id)!)).map(([id, text]) => `${toolRows.get(id)} missing from "${text.replace(/\s+/g, ' ')}"`)).toEqual([]);

    // Scroll to the bottom and time until the last span's row is painted in view.
    const lastId = spanIdOf(SESSION, `m${PAIRS}`);
    const scrolledMs = await page.evaluate(async (id: string) => {
      type El = { scrollTop: number; scrollHeight: number; querySelector(s: string): unknown };
      const g = globalThis as unknown as { document: { querySelector(s: string): El | null }; performance: { now(): number }; requestAnimationFrame(cb: () => void): void };
      const list = g.document.querySelector('[data-testid="span-list"]')!;
      const t0 = g.performance.now();
      list.scrollTop = list.scrollHeight;
      for (;;) {
        await new Promise<void>((r) => g.requestAnimationFrame(() => r()));
        if (list.querySelector(`[data-span-id="${id}"]`)) return g.performance.now() - t0;
        if (g.performance.now() - t0 > 10_000) return -1;
      }
    }, lastId);
    console.log(`[measure] session of ${2 * PAIRS} spans: scrolled to the last row in ${Math.round(scrolledMs)} ms`);
    expect(scrolledMs, 'the last row appears after scrolling to the bottom').toBeGreaterThanOrEqual(0);
    expect(scrolledMs).toBeLessThan(10_000);
    expect(await spanRowInView(page, lastId)).toBe(true);
    expect(await page.locator('[data-testid="span-list"] [data-span-id]').count()).toBeLessThan(200);
    await saveScreenshot(page, 'session-5000-bottom');
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });
});
