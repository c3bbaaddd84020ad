import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, startChild, type Child } from '../reliability/child-server.js';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces, post } from '../helpers/otlp.js';

/*
 * The limit flags of `fulcrum serve` reach the running server: a real child
 * process started with them answers as they say.
 */

let child: Child;
const JSON_TYPE = 'application/json';

/** One chat span starting `agoMs` before now, with a declared cost. */
function chatSpan(spanId: string, agoMs: number, costUsd: number): string {
  const body = JSON.parse(jsonTraces([{ traceId: 'c3'.repeat(16), spanId, attributes: { 'gen_ai.conversation.id': 'limits', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-5', 'fulcrum.cost.usd': costUsd } }]));
  const span = body.resourceSpans[0].scopeSpans[0].spans[0];
  const start = BigInt(Date.now() - agoMs) * 1_000_000n;
  span.startTimeUnixNano = String(start);
  span.endTimeUnixNano = String(start + 1_000_000n);
  return JSON.stringify(body);
}

beforeAll(async () => {
  child = await startChild(tempDataDir('fulcrum-serve-limits-'), ['--api-rate-limit', '1', '--max-span-age-days', '1', '--max-cost-per-call', '5', '--disk-low-water', '1MiB', '--query-timeout', '30']);
}, 60_000);
afterAll(async () => {
  if (child && child.proc.exitCode === null) {
    child.proc.kill('SIGTERM');
    await child.exited;
  }
});

describe('fulcrum serve limit flags', () => {
  it('--api-rate-limit: a project over its /api rate gets 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${child.url}/api/sessions?since=2000-01-01`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    // A burst of 2 x the rate passes; the rest of the burst is refused.
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('--max-span-age-days and --max-cost-per-call: implausible spans are rejected one by one with partial_success', async () => {
    const old = await post(`${child.url}/v1/traces`, chatSpan('0000000000000001', 3 * 86_400_000, 1), JSON_TYPE);
    expect(old.status).toBe(200);
    expect(JSON.parse(old.body.toString()).partialSuccess.rejectedSpans).toBe('1');
    const costly = await post(`${child.url}/v1/traces`, chatSpan('0000000000000002', 60_000, 6), JSON_TYPE);
    expect(JSON.parse(costly.body.toString()).partialSuccess.rejectedSpans).toBe('1');
    const fine = await post(`${child.url}/v1/traces`, chatSpan('0000000000000003', 60_000, 4), JSON_TYPE);
    expect(fine.status).toBe(200);
    expect(fine.body.toString()).toBe('{}');
  });

  it('refuses a malformed size or a high-water below the low-water on one line with exit code 2', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'serve', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, FULCRUM_CLICKHOUSE_URL: '' } });
    const lots = run('--disk-low-water', 'lots');
    expect(lots.status).toBe(2);
    expect(lots.stderr).toBe('fulcrum: --disk-low-water must be a size like 512MiB, 2GiB or a number of bytes, got "lots"\n');
    const inverted = run('--disk-low-water', '2GiB', '--disk-high-water', '1GiB');
    expect(inverted.status).toBe(2);
    expect(inverted.stderr).toBe('fulcrum: --disk-high-water must be at least --disk-low-water\n');
    const help = run('--help');
    for (const flag of ['--disk-low-water', '--max-memory', '--api-rate-limit', '--api-concurrency', '--query-timeout', '--query-memory', '--max-span-age-days', '--max-cost-per-call']) expect(help.stdout).toContain(flag);
  });
});
