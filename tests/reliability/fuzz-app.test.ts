import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { fixtureBodies, ld, mutated, sdkTraceBodies, type Signal } from './fuzz-inputs.js';

// Through the real app and chDB: what a client sees is the status code, so that is what is pinned.
const RUNS = { numRuns: 200, seed: 11 };
const bodies = [...fixtureBodies(), ...sdkTraceBodies().map((bytes) => ({ signal: 'traces' as Signal, type: 'application/x-protobuf' as const, bytes, name: 'sdk' }))];
let store: Store;
let app: FastifyInstance;
let spoolDir: string;
/** Batches the store refused: each would be a 503 without the spool, and one that never drains blocks it. */
const spooled = () => readdirSync(spoolDir).filter((f) => f.endsWith('.batch'));

const send = (signal: Signal, type: string, payload: Buffer | string) =>
  app.inject({ method: 'POST', url: `/v1/${signal}`, headers: { 'content-type': type }, payload });

async function count(where: string, params: Record<string, string> = {}): Promise<number> {
  const rs = await store.client.query({ query: `SELECT count() AS n FROM spans FINAL WHERE ${where}`, query_params: params, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: number }>())[0]!.n);
}

beforeAll(async () => {
  const dir = tempDataDir();
  store = await openStore({ dataDir: dir });
  // A spool too, so a batch the store refused would show up as a stuck spool file, not only as a 503.
  spoolDir = join(dir, 'spool');
  app = await buildApp({ store, spoolDir, batchMaxDelayMs: 2, limits: { requestsPerSecond: 0 } });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('the app answers bad data with 400, never 5xx', () => {
  it('every real harness body and SDK-encoded body gets 200', async () => {
    for (const b of bodies) expect([b.name, (await send(b.signal, b.type, b.bytes)).statusCode]).toEqual([b.name, 200]);
  });

  it('damaged real bodies get 200 or 400, and nothing waits in the spool afterwards', async () => {
    const seen = new Set<number>();
    await fc.assert(fc.asyncProperty(fc.constantFrom(...bodies).chain((b) => mutated(b.bytes).map((bytes) => ({ ...b, bytes }))), async (b) => {
      const status = (await send(b.signal, b.type, b.bytes)).statusCode;
      seen.add(status);
      expect([200, 400]).toContain(status);
    }), RUNS);
    expect(seen).toEqual(new Set([200, 400])); // the mutations hit both outcomes
    expect(app.spanWriter.queued).toBe(0);
    expect(spooled()).toEqual([]);
  });

  it('random bytes on every endpoint in both encodings get 200 or 400', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom<Signal>('traces', 'logs', 'metrics'), fc.constantFrom('application/x-protobuf', 'application/json'), fc.uint8Array({ maxLength: 300 }), async (signal, type, bytes) => {
      expect([200, 400]).toContain((await send(signal, type, Buffer.from(bytes))).statusCode);
    }), RUNS);
  });

  it('a protobuf length prefix running past the end is 400 exactly, as a google.rpc.Status', async () => {
    const res = await send('traces', 'application/x-protobuf', Buffer.from([0x0a, 0x7f, 0x01]));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/x-protobuf');
  });
});

const span = (spanId: string, start: unknown, end: unknown, session: string, attributes: Record<string, string> = {}) => ({
  traceId: 'ab'.repeat(16), spanId, name: 'edge', startTimeUnixNano: start, endTimeUnixNano: end,
  attributes: Object.entries({ 'gen_ai.conversation.id': session, ...attributes }).map(([key, v]) => ({ key, value: { stringValue: v } })),
});
const traces = (spans: unknown[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const rejected = (body: string) => (JSON.parse(body) as { partialSuccess?: { rejectedSpans?: string } }).partialSuccess?.rejectedSpans;

describe('values the columns cannot hold are clamped, and values no call could have are refused per span, never with 503', () => {
  it('negative, beyond-2^63 and 1e300 start times: 200 with the span refused in partial_success, nothing stored', async () => {
    const odd: [unknown, unknown][] = [['-5', '10'], ['99999999999999999999999', '1'], [1e300, 1e301], ['1', '999999999999999999999999999999'], ['18446744073709551615', '18446744073709551615']];
    for (const [i, [s, e]] of odd.entries()) {
      const res = await send('traces', 'application/json', traces([span(`00000000000000${i + 10}`, s, e, 'clamp')]));
      expect([res.statusCode, rejected(res.body)]).toEqual([200, '1']);
    }
    expect(await count("SessionId = 'clamp'")).toBe(0);
  });

  it('an end time beyond 2^63 and an input token count beyond 2^64: 200, the first stored clamped and marked Truncated, the second refused', async () => {
    const res = await send('traces', 'application/json', traces([
      span('0000000000000020', String(NOW_NS), '999999999999999999999999999999', 'clamp-end'),
      span('0000000000000021', String(NOW_NS), String(NOW_NS + 5n), 'clamp-end', { 'gen_ai.usage.input_tokens': '99999999999999999999' }),
    ]));
    expect([res.statusCode, rejected(res.body)]).toEqual([200, '1']);
    expect(await count("SessionId = 'clamp-end' AND Truncated")).toBe(1);
  });

  it('one request whose spans span 150 months: 200, those inside the timestamp window stored, the rest refused', async () => {
    const month = 31n * 86_400n * 1_000_000_000n;
    const spans = Array.from({ length: 150 }, (_, i) => span((i + 1).toString(16).padStart(16, '0'), String(NOW_NS - BigInt(i) * month), '0', 'months'));
    const inWindow = spans.filter((_, i) => BigInt(i) * month <= 730n * 86_400n * 1_000_000_000n).length;
    const res = await send('traces', 'application/json', traces(spans));
    expect([res.statusCode, rejected(res.body)]).toEqual([200, String(150 - inWindow)]);
    expect(await count("SessionId = 'months'")).toBe(inWindow);
  });

  it('a Claude Code log with duration_ms 1e400 is 200 and stored', async () => {
    const log = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] }, scopeLogs: [{ logRecords: [{
      timeUnixNano: String(NOW_NS), body: { stringValue: 'claude_code.tool_result' },
      attributes: [['event.name', 'tool_result'], ['session.id', 'inf-duration'], ['tool_name', 'Read'], ['success', 'true'], ['duration_ms', '1e400']].map(([key, v]) => ({ key, value: { stringValue: v } })),
    }] }] }] });
    expect((await send('logs', 'application/json', log)).statusCode).toBe(200);
    expect(await count("SessionId = 'inf-duration'")).toBe(1);
  });

  it('after all the fuzzing, a valid request is still stored (no poisoned batch left behind)', async () => {
    const startTime = (ns: bigint) => { const b = Buffer.alloc(9); b[0] = (7 << 3) | 1; b.writeBigUInt64LE(ns, 1); return b; };
    expect((await send('traces', 'application/x-protobuf', ld(1, ld(2, ld(2, Buffer.concat([ld(1, Buffer.alloc(16, 0x5a)), ld(2, Buffer.alloc(8, 0x5b)), ld(5, Buffer.from('after')), startTime(NOW_NS)])))))).statusCode).toBe(200);
    expect(await count("SpanName = 'after'")).toBe(1);
    expect(spooled()).toEqual([]);
  });
});
