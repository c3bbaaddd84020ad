import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startServer, type RunningServer } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { loop, send } from '../query/fixtures.js';

/** What the server logged, one parsed pino line each. */
function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: { level: 'error', stream } };
}

describe('API errors: a bug is 500 with an error id, an outage 503 with Retry-After', () => {
  let server: RunningServer;
  const log = logSink();
  beforeAll(async () => {
    server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, logger: log.logger });
    await send(server.url, [{ session: 's-1', team: 'payments', spans: loop([{ tool: 'Read', hash: 'r' }], 0.5) }]);
    await server.app.spanWriter.flush();
    await server.app.analyser.runNow(0);
  });
  afterAll(async () => server?.close());

  it('answers a query the store rejects as a bug with 500 and the id the log has, not 503', async () => {
    const ok = await server.app.inject({ method: 'GET', url: '/api/leverage' });
    expect(ok.statusCode).toBe(200);
    // A real fault of the server's own: the materialised table it reads is gone.
    await server.app.store.client.command({ query: 'RENAME TABLE session_summaries TO session_summaries_gone' });
    try {
      const res = await server.app.inject({ method: 'GET', url: '/api/leverage' });
      expect(res.statusCode).toBe(500);
      expect(res.headers['retry-after']).toBeUndefined();
      const { error } = res.json();
      expect(error.code).toBe('INTERNAL');
      expect(error.id).toMatch(/^[0-9a-f]{12}$/);
      expect(error.message).toContain(error.id);
      const logged = log.lines.find((l) => l.errorId === error.id);
      expect(logged?.msg).toBe('query failed: unexpected error');
      expect(JSON.stringify(logged?.err)).toMatch(/session_summaries/);
    } finally {
      await server.app.store.client.command({ query: 'RENAME TABLE session_summaries_gone TO session_summaries' });
    }
  });
});

describe('API errors: a ClickHouse server that refuses connections', () => {
  let store: Store;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    // Nothing listens on port 9 of loopback: every query's connection is refused, as with a server that is down.
    store = await openStore({ url: 'http://127.0.0.1:9', migrate: false });
    app = await buildApp({ store, analysis: false, diskSpace: false, auth: { mode: 'off' } });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('is 503 with Retry-After, the only case that is', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/sessions' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().error).toEqual({ code: 'STORE_UNAVAILABLE', message: 'store unavailable, retry later' });
  });
});
