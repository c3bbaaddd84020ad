import type { Page } from 'playwright-core';
import { waitForRendered } from '../helpers/browser.js';

/** The app's routes with the <h1> each shows (docs: the DOM contract between the app and these tests). */
export const ROUTES = [
  { name: 'overview', path: '/', heading: 'Overview' },
  { name: 'sessions', path: '/sessions', heading: 'Sessions' },
  { name: 'waste', path: '/waste', heading: 'Waste' },
  { name: 'leverage', path: '/leverage', heading: 'Leverage' },
  { name: 'outcomes', path: '/outcomes', heading: 'Outcomes' },
] as const;

/** Goes to a path and waits until its <main> has rendered its data. */
export async function gotoRendered(page: Page, origin: string, path: string): Promise<void> {
  await page.goto(`${origin}${path}`);
  await waitForRendered(page);
}

/** The single <h1>'s text. */
export async function heading(page: Page): Promise<string> {
  const h1 = page.locator('main h1');
  return ((await h1.first().textContent()) ?? '').trim();
}

/** Session ids linked from the rows of the page's first table, in order. */
export async function tableSessionIds(page: Page): Promise<string[]> {
  const hrefs = await page.locator('main table tbody tr a[href^="/sessions/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  return hrefs.map((h) => decodeURIComponent(h.slice('/sessions/'.length)));
}

/**
 * Ways a dollar amount may be written on a page: whole dollars, cents, or
 * with thousands separators. A test accepts any of them, never a different amount.
 */
export function usdForms(usd: number): string[] {
  const forms = new Set<string>();
  for (const digits of [0, 1, 2]) {
    if (digits === 0 && usd < 10) continue;
    forms.add(`$${usd.toFixed(digits)}`);
    forms.add(`$${usd.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`);
  }
  return [...forms];
}

/** Ways a waste kind (redundant_read) may be written: as the API names it or in words. */
export function kindForms(kind: string): RegExp {
  const words = kind.split('_');
  return new RegExp(`${kind}|${words.join('[ -]')}`, 'i');
}

/**
 * Installs, before any page script runs, a watcher that notes (as
 * window.__rendered, ms since navigation start) the first moment `selector`
 * matches. Measuring in the page leaves out the test runner's polling delay.
 */
export async function watchFirstMatch(page: Page, selector: string): Promise<void> {
  await page.addInitScript((sel: string) => {
    const w = globalThis as unknown as { __rendered?: number; document: { querySelector(s: string): unknown; documentElement: unknown }; MutationObserver: new (cb: () => void) => { observe(n: unknown, o: unknown): void; disconnect(): void }; performance: { now(): number } };
    const check = () => {
      if (w.__rendered === undefined && w.document.querySelector(sel)) w.__rendered = w.performance.now();
      return w.__rendered !== undefined;
    };
    const observer = new w.MutationObserver(() => {
      if (check()) observer.disconnect();
    });
    observer.observe(w.document.documentElement ?? w.document, { subtree: true, childList: true, attributes: true });
  }, selector);
}

/** Waits for the watcher of watchFirstMatch and returns its time, in ms since navigation start. */
export async function firstMatchMs(page: Page, timeoutMs = 15_000): Promise<number> {
  const handle = await page.waitForFunction(() => (globalThis as unknown as { __rendered?: number }).__rendered, undefined, { timeout: timeoutMs });
  return Math.round(Number(await handle.jsonValue()));
}

/** Whether the span row `spanId` lies (at least half) inside the span list's visible box. */
export async function spanRowInView(page: Page, spanId: string): Promise<boolean> {
  return page.evaluate((id: string) => {
    type Box = { top: number; bottom: number; height: number };
    type El = { getBoundingClientRect(): Box; querySelector(s: string): El | null };
    const list = (globalThis as unknown as { document: El }).document.querySelector('[data-testid="span-list"]');
    const row = list?.querySelector(`[data-span-id="${id}"]`);
    if (!list || !row) return false;
    const l = list.getBoundingClientRect();
    const r = row.getBoundingClientRect();
    const overlap = Math.min(l.bottom, r.bottom) - Math.max(l.top, r.top);
    return r.height > 0 && overlap >= r.height / 2;
  }, spanId);
}
