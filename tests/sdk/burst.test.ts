/**
 * An agent's burst: 20,000 tool calls as fast as the host can make them, at
 * the SDK's defaults, into a real Fulcrum server. Nothing is dropped, and the
 * report says so; with a deliberately small queue it counts the drops exactly.
 */
import { startServer, type RunningServer } from '@fulcrum/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, traceToolCall, withSession } from '../../packages/sdk/src/index.js';
import { tempDataDir } from '../helpers/store.js';
import { storedSpans } from './stored.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir('fulcrum-sdk-burst-') } });
});
afterAll(async () => server?.close());

function burst(sessionId: string, calls: number): void {
  withSession({ sessionId }, () => {
    for (let i = 0; i < calls; i++) traceToolCall({ name: 'Read', id: `t${i}`, args: { file_path: `src/f${i % 500}.ts` } }, () => 'x');
  });
}

describe('a burst of tool calls', () => {
  it('20,000 calls at the default queue and batches: all 20,001 spans stored, none dropped', async () => {
    // The in-process server stores about 4,000 spans/s here (one chDB insert per 512-span request), so
    // shutdown may need longer than its 5 s default; the queue and batch settings are the defaults under test.
    const tracing = startTracing({ endpoint: server.url, env: {}, logger: false, shutdownTimeoutMillis: 60_000 });
    burst('burst-defaults', 20_000);
    const report = await tracing.shutdown();
    expect(report).toEqual({ exported: 20_001, dropped: 0, failed: 0, pending: 0, timedOut: false });
    expect(await storedSpans(server, 'burst-defaults')).toBe(20_001);
  }, 120_000);

  it('with a 1,000-span queue: the report counts exactly the spans it dropped, and one warning says so', async () => {
    const lines: string[] = [];
    const tracing = startTracing({ endpoint: server.url, env: {}, batch: { maxQueueSize: 1000 }, logger: { warn: (m: string) => lines.push(m) } });
    burst('burst-small-queue', 5000);
    const report = await tracing.shutdown();
    // The loop never yields, so the queue fills at 1,000 and nothing leaves it until the loop ends.
    expect(report).toMatchObject({ exported: 1000, dropped: 4001, failed: 0, pending: 0 });
    expect(await storedSpans(server, 'burst-small-queue')).toBe(1000);
    expect(lines[0]).toMatch(/dropping spans: the export queue is full \(1000 spans; raise maxQueueSize\)/);
  }, 120_000);
});
