import { startServer, type RunningServer } from '@fulcrum/server';
import { runCli } from '../helpers/cli.js';
import { tempDataDir } from '../helpers/store.js';

/**
 * The demo's week of sessions in a fresh data directory, made by the real
 * CLI in a child process (which lets go of the directory when it exits, so
 * this process can open it next).
 */
export async function demoDataDir(): Promise<string> {
  const dataDir = tempDataDir('fulcrum-web-');
  const demo = await runCli(['demo', '--data-dir', dataDir, '--format', 'json']);
  if (demo.status !== 0) throw new Error(`fulcrum demo failed (${demo.status}): ${demo.stderr}`);
  return dataDir;
}

export interface WebServerOptions {
  /** Embedded store directory. */
  dataDir: string;
  /** API keys: auto = required once a key exists. @default 'auto' */
  auth?: 'auto' | 'required' | 'off';
  /** Classify a session once it has been quiet this long, in ms. @default 200 */
  analyseAfterMs?: number;
}

export interface WebServer {
  /** The web app's origin, which also answers /api/*, /openapi.json and /docs. */
  url: string;
  /** The OTLP receiver's origin (POST /v1/traces). */
  otlpUrl: string;
  server: RunningServer;
  close(): Promise<void>;
}

/** `fulcrum serve` in this process on `dataDir`, with the web app on its own port, every port picked free. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const server = await startServer({
    port: 0,
    webPort: 0,
    store: { dataDir: options.dataDir },
    auth: { mode: options.auth ?? 'auto', refreshMs: 100 },
    analysis: { analyseAfterMs: options.analyseAfterMs ?? 200, pollMs: 50 },
  });
  if (!server.web) {
    await server.close();
    throw new Error('startServer gave no web app for webPort: 0');
  }
  return { url: server.web.url, otlpUrl: server.url, server, close: () => server.close() };
}

/** GETs an API path as JSON, with a key when given; throws on a non-2xx answer. */
export async function apiGet<T>(origin: string, path: string, key?: string): Promise<{ body: T; headers: Headers }> {
  const res = await fetch(`${origin}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return { body: (await res.json()) as T, headers: res.headers };
}

/** Polls `what` until `ok` holds; throws with `description` after `timeoutMs` (expect.poll works only inside a test). */
export async function waitUntil<T>(description: string, what: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
