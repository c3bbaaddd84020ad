/**
 * An export that fails must never reach the host as a rejection: against a
 * server that is down, hangs, or refuses the key, flush and shutdown resolve
 * within their bound with the counts, and one warning line says what happened.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startTracing, traceToolCall, withSession, type ExportReport } from '../../packages/sdk/src/index.js';

const servers: Server[] = [];
const open: ServerResponse[] = [];

async function listen(handler: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port that was just free: nothing listens there. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

afterAll(async () => {
  for (const res of open) res.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** Ten tool calls in a session, then shutdown; what it resolved with, how long it took, what it logged. */
async function session(endpoint: string, shutdownTimeoutMillis?: number): Promise<{ report: ExportReport; ms: number; lines: string[] }> {
  const lines: string[] = [];
  const tracing = startTracing({ endpoint, env: {}, shutdownTimeoutMillis, logger: { warn: (m: string) => lines.push(m) } });
  withSession({ sessionId: 'failing-export' }, () => {
    for (let i = 0; i < 10; i++) traceToolCall({ name: 'Read', args: { file_path: `f${i}.ts` } }, () => 'x');
  });
  const t0 = performance.now();
  const report = await tracing.shutdown();
  return { report, ms: performance.now() - t0, lines };
}

describe('shutdown when the export fails', () => {
  it('server down: resolves with the 11 spans failed, the reason, and one warning', async () => {
    const { report, ms, lines } = await session(await closedPort());
    expect(report).toMatchObject({ exported: 0, failed: 11, dropped: 0, pending: 0, timedOut: false });
    expect(report.lastError).toMatch(/ECONNREFUSED/);
    expect(ms).toBeLessThan(5000);
    expect(lines.filter((l) => /could not export 11 spans: .*ECONNREFUSED/.test(l))).toHaveLength(1);
  });

  it('server hangs: resolves at the shutdown timeout with the spans still pending', async () => {
    const endpoint = await listen((res) => open.push(res));
    const { report, ms } = await session(endpoint, 1500);
    expect(report).toMatchObject({ exported: 0, pending: 11, timedOut: true });
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(3000);
  });

  it('key refused (401): resolves with the spans failed and the server said Unauthorized', async () => {
    const endpoint = await listen((res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}'));
    const { report, lines } = await session(endpoint);
    expect(report).toMatchObject({ exported: 0, failed: 11, timedOut: false });
    expect(report.lastError).toMatch(/Unauthorized|401/);
    expect(lines).toHaveLength(2); // the failure, and shutdown's summary
    expect(lines[1]).toMatch(/shutdown: 0 spans exported, 11 failed, 0 dropped, 0 not sent/);
  });

  it('a server that answers: everything exported, nothing logged', async () => {
    const endpoint = await listen((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const { report, lines } = await session(endpoint);
    expect(report).toEqual({ exported: 11, failed: 0, dropped: 0, pending: 0, timedOut: false });
    expect(lines).toEqual([]);
  });
});
