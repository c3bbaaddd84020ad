import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@fulcrum/ingest';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

/*
 * A flood of expensive API requests gets 429 (per-project rate and concurrency
 * limits, apart from ingest's), and ingest keeps its latency: its p99 under the
 * flood stays within 2× its idle p99.
 */
const LOAD_CLIENT = join(import.meta.dirname, '../bench/load-client.js');
const FLOOD_CLIENT = join(import.meta.dirname, 'api-flood-client.js');
const SEED_SPANS = Number(process.env.FULCRUM_FLOOD_SEED_SPANS ?? 1_000_000);

interface LoadReport { offered: number; skipped: number; statuses: Record<string, number>; p50: number; p99: number }
interface FloodReport { statuses: Record<string, number>; withRetryAfter: number; okP50: number; okP99: number }

const run = <T>(script: string, args: string[]) => new Promise<T>((resolve, reject) =>
  execFile(process.execPath, [script, ...args], { timeout: 120_000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(JSON.parse(out.trim()) as T))));

let store: Store;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir('fulcrum-api-flood-') });
  // FULCRUM_FLOOD_UNLIMITED=1 lifts the API limits, to see what they prevent (the test then fails).
  const apiLimits = process.env.FULCRUM_FLOOD_UNLIMITED ? { requestsPerSecond: 0, maxConcurrentPerProject: 10_000, maxConcurrent: 10_000 } : undefined;
  app = await buildApp({ store, limits: { requestsPerSecond: 0 }, apiLimits, analysis: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // Enough spans that a waste report costs something (~100 ms or more), written by SQL: seeding through
  // ingest would take minutes. Sessions of 200 spans: model calls and tool calls, some repeated.
  const t0 = Date.now();
  await store.client.command({
    query: `INSERT INTO spans (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, ServiceName, Project, SessionId, SpanType, Harness, Team, ToolName, Model, InputTokens, OutputTokens, CostUsd, Priced, ArgsHash, Success, Duration, Version)
      SELECT now64(9) - toIntervalSecond(number % 604800), lower(hex(MD5(toString(intDiv(number, 200))))), lower(hex(toFixedString(reinterpretAsString(number), 8))), '',
        if(number % 3 = 0, 'chat', 'execute_tool'), 'seed', 'default', concat('seed-', toString(intDiv(number, 200))), if(number % 3 = 0, 'model', 'tool'), 'claude-code', concat('team-', toString(number % 7)),
        if(number % 3 = 0, '', ['Read', 'Grep', 'Edit', 'Bash'][number % 4 + 1]), if(number % 3 = 0, 'claude-sonnet-4-5', ''), 1000, 200, if(number % 3 = 0, 0.01, 0), true,
        toString(number % 50), number % 11 != 0, 1000000, 1
      FROM numbers(${SEED_SPANS})`,
  });
  console.log(`api flood: seeded ${SEED_SPANS} spans in ${Date.now() - t0} ms`);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('an /api flood', () => {
  it('is answered 429 with Retry-After beyond the limits, and ingest p99 stays within 2× idle', async () => {
    const t0 = performance.now();
    const one = await fetch(`${url}/api/reports/waste`);
    expect(one.status).toBe(200);
    const reportMs = performance.now() - t0;

    const idle = await run<LoadReport>(LOAD_CLIENT, [url, '20', '6', '100', '1', '64']);
    const [flood, loaded] = await Promise.all([
      run<FloodReport>(FLOOD_CLIENT, [url, '/api/reports/waste', '16', '8', '10']),
      new Promise((r) => setTimeout(r, 1000)).then(() => run<LoadReport>(LOAD_CLIENT, [url, '20', '6', '100', '2', '64'])),
    ]);
    console.log(`api flood: one waste report ${reportMs.toFixed(0)} ms; flood ${JSON.stringify(flood.statuses)} (${flood.withRetryAfter} with Retry-After, 200s p50 ${flood.okP50.toFixed(0)} ms p99 ${flood.okP99.toFixed(0)} ms); ingest idle p50 ${idle.p50.toFixed(1)} p99 ${idle.p99.toFixed(1)} ms ${JSON.stringify(idle.statuses)}, under flood p50 ${loaded.p50.toFixed(1)} p99 ${loaded.p99.toFixed(1)} ms ${JSON.stringify(loaded.statuses)}`);

    expect(idle.statuses).toEqual({ 200: idle.offered - idle.skipped });
    expect(loaded.statuses).toEqual({ 200: loaded.offered - loaded.skipped });
    expect(flood.statuses['200']).toBeGreaterThan(0);
    expect(flood.statuses['429']).toBeGreaterThan(0);
    expect(flood.withRetryAfter).toBe((flood.statuses['429'] ?? 0) + (flood.statuses['503'] ?? 0));
    expect(Object.keys(flood.statuses).filter((s) => !['200', '429', '503'].includes(s))).toEqual([]);
    expect(loaded.p99).toBeLessThanOrEqual(2 * idle.p99);
  }, 120_000);
});
