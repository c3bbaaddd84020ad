import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, waitForRendered } from '../helpers/browser.js';
import { apiGet, demoDataDir, startWebServer, type WebServer } from './web-server.js';
import { gotoRendered, spanRowInView, tableSessionIds } from './dom.js';

/*
 * Getting around the demo's week in the browser: from the list to a
 * session, filters and sort kept in the URL (reload, back), and a finding's
 * span links landing on their spans.
 */

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  const dataDir = await demoDataDir();
  [web, browser] = await Promise.all([startWebServer({ dataDir }), launchBrowser()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

/** The sessions the API lists for the URL's filters and sort: what the page must show. */
async function apiIdsFor(pageUrl: string): Promise<string[]> {
  const params = new URL(pageUrl).searchParams;
  const query = new URLSearchParams({ limit: '500' });
  for (const k of ['since', 'until', 'team', 'repository', 'harness', 'useCase', 'sort', 'order']) {
    const v = params.get(k);
    if (v) query.set(k, v);
  }
  const { body } = await apiGet<{ sessionId: string }[]>(web.url, `/api/sessions?${query}`);
  return body.map((s) => s.sessionId);
}

async function setFilter(page: Page, label: string, value: string): Promise<void> {
  const field = page.getByRole('search', { name: 'Filters' }).getByLabel(label, { exact: true });
  const tag = await field.evaluate((el) => el.tagName);
  if (tag === 'SELECT') await field.selectOption(value);
  else {
    await field.fill(value);
    await field.press('Enter');
  }
}

describe('navigating the web app', () => {
  it('reaches a session from the list by clicking its id', async () => {
    const { page, context, problems } = await openPage(browser, web.url);
    await gotoRendered(page, web.url, '/sessions');
    const [first] = await tableSessionIds(page);
    expect(first).toBeTruthy();
    await page.locator(`main table tbody a[href="/sessions/${encodeURIComponent(first!)}"]`).first().click();
    await page.waitForURL(`${web.url}/sessions/${encodeURIComponent(first!)}`);
    await waitForRendered(page);
    expect(await page.locator('main h1').innerText()).toMatch(/^Session /);
    await page.locator('[data-testid="span-list"] [data-span-id]').first().waitFor();
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it('keeps the team filter and the sort in the URL: a reload shows the same rows, back goes to the previous state', async () => {
    const { page, context, problems } = await openPage(browser, web.url);
    await gotoRendered(page, web.url, '/sessions');
    const all = await tableSessionIds(page);

    await setFilter(page, 'Team', 'platform');
    await page.waitForURL((u) => u.searchParams.get('team') === 'platform');
    await waitForRendered(page);
    const filtered = await tableSessionIds(page);
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.length).toBeLessThan(all.length);
    expect(new Set(filtered)).toEqual(new Set(await apiIdsFor(page.url())));

    const spendHeader = page.locator('main table th', { has: page.getByRole('button', { name: /spend/i }) }).first();
    await spendHeader.getByRole('button').click();
    await page.waitForURL((u) => u.searchParams.get('sort') === 'spend' && u.searchParams.get('team') === 'platform');
    await waitForRendered(page);
    expect(await spendHeader.getAttribute('aria-sort')).toMatch(/ascending|descending/);
    const sorted = await tableSessionIds(page);
    const sortedUrl = page.url();
    expect(sorted).toEqual(await apiIdsFor(sortedUrl));

    await page.reload();
    await waitForRendered(page);
    expect(page.url()).toBe(sortedUrl);
    expect(await tableSessionIds(page)).toEqual(sorted);
    expect(await page.getByRole('search', { name: 'Filters' }).getByLabel('Team', { exact: true }).inputValue()).toBe('platform');

    await page.goBack();
    await waitForRendered(page);
    expect(page.url()).not.toBe(sortedUrl);
    expect(new URL(page.url()).pathname).toBe('/sessions');
    expect(new Set(await tableSessionIds(page))).toEqual(new Set(await apiIdsFor(page.url())));
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it('pages through the sessions with Next and Previous', async () => {
    const { page, context } = await openPage(browser, web.url);
    await gotoRendered(page, web.url, '/sessions');
    const { headers } = await apiGet(web.url, '/api/sessions?limit=1');
    const total = Number(headers.get('x-total-count'));
    const firstPage = await tableSessionIds(page);
    expect(await page.locator('main').innerText()).toMatch(new RegExp(`Showing 1[–-]${firstPage.length} of ${total}`));
    if (firstPage.length < total) {
      await page.getByRole('button', { name: 'Next' }).click();
      await page.waitForURL((u) => u.searchParams.get('page') === '2');
      await waitForRendered(page);
      const second = await tableSessionIds(page);
      expect(second.filter((id) => firstPage.includes(id))).toEqual([]);
      await page.getByRole('button', { name: 'Previous' }).click();
      await waitForRendered(page);
      expect(await tableSessionIds(page)).toEqual(firstPage);
    }
    await context.close();
  });

  it('a finding links to its spans: activating the link shows that span row, selected, and the hash reloads to it', async () => {
    const { body: report } = await apiGet<{ waste: { worstSessions: { sessionId: string }[] } }>(web.url, '/api/reports/waste');
    const sessionId = report.waste.worstSessions[0]!.sessionId;
    const { page, context, problems } = await openPage(browser, web.url);
    await gotoRendered(page, web.url, `/sessions/${encodeURIComponent(sessionId)}`);
    const links = page.getByRole('region', { name: 'Findings' }).locator('li a[href^="#span-"]');
    expect(await links.count()).toBeGreaterThan(0);
    // The last link of the last finding: the furthest down the span list, so it has to scroll there.
    const link = links.last();
    const spanId = (await link.getAttribute('href'))!.slice('#span-'.length);
    await link.click();
    await page.waitForURL((u) => u.hash === `#span-${spanId}`);
    const row = page.locator(`[data-testid="span-list"] [data-span-id="${spanId}"]`);
    await expect.poll(() => row.getAttribute('data-selected')).toBe('true');
    await expect.poll(() => spanRowInView(page, spanId), { message: 'the linked row is scrolled into the list\'s view' }).toBe(true);
    const { body: detail } = await apiGet<{ findings: { wasteSpanIds: string[] }[] }>(web.url, `/api/sessions/${encodeURIComponent(sessionId)}`);
    if (detail.findings.some((f) => f.wasteSpanIds.includes(spanId))) expect(await row.getAttribute('data-waste')).toBeTruthy();

    await page.reload();
    await waitForRendered(page);
    await expect.poll(() => row.getAttribute('data-selected')).toBe('true');
    await expect.poll(() => spanRowInView(page, spanId)).toBe(true);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });
});
