import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core: no browser download, the
 * same binary `.ci/run` installs with apt-get.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where screenshots go: kept after the run so they can be looked at, and ignored by git (.gitignore). */
export const OUTPUT_DIR = fileURLToPath(new URL('../.output/web/', import.meta.url));

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Flags for a quiet headless run in a container: no sandbox (root), no GPU, nothing phoning home. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Launches headless chromium with a fresh profile (playwright gives each
 * launch its own temporary user-data directory). A missing binary fails the
 * test with the command that installs it, never a silent skip.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: the browser tests need Debian's chromium (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** What went wrong while a page was open, collected as it happened. */
export interface PageProblems {
  /** console.error messages and uncaught exceptions. */
  consoleErrors: string[];
  /** Requests that got no answer, and answers with status 400 or above, as "<status> <url>". */
  failedRequests: string[];
  /** Every request to an origin other than the app's (the app must work offline: no CDN, no beacon). */
  crossOrigin: string[];
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
}

export interface OpenPageOptions {
  /** Viewport size. @default { width: 1280, height: 800 } */
  viewport?: { width: number; height: number };
}

/**
 * A page in its own context (its own sessionStorage and cookies) that records
 * console errors, failed requests and requests leaving `origin`.
 */
export async function openPage(browser: Browser, origin: string, options: OpenPageOptions = {}): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], failedRequests: [], crossOrigin: [] };
  const own = new URL(origin).origin;
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => problems.consoleErrors.push(`uncaught: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    if (/^(data|blob|about):/.test(url)) return;
    if (new URL(url).origin !== own) problems.crossOrigin.push(url);
  });
  page.on('requestfailed', (req) => problems.failedRequests.push(`failed ${req.url()}: ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.failedRequests.push(`${res.status()} ${res.url()}`);
  });
  return { page, context, problems };
}

/** Waits until the page's <main> says its data is loaded and rendered. */
export async function waitForRendered(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.locator('main[aria-busy="false"]').waitFor({ state: 'attached', timeout: timeoutMs });
}

/** Saves a full-page screenshot as <OUTPUT_DIR>/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let axeSource: string | undefined;

/** One axe-core violation, cut down to what a failure message needs. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  /** CSS selectors of the offending elements (the first few). */
  targets: string[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations.
 * The source is evaluated through the DevTools protocol rather than added as a
 * <script>: the app's Content-Security-Policy rightly refuses inline scripts.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const { axe, document } = globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<Result> }; document: unknown };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}
