import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@fulcrum/server';
import { clampNanos } from '@fulcrum/ingest/normalise/sanitise';
import { emptySpanRow, openStore, writeSpanRows, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { ld, varint } from '../reliability/fuzz-inputs.js';

const DAY_MS = 86_400_000;
const NOW_MS = Date.now();
const nanos = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

let store: Store;
let app: FastifyInstance;
let url: string;

type Attr = Record<string, string>;
interface SpanSpec { traceId?: string; spanId: string; startMs: number; name?: string; attrs?: Attr; events?: { name: string; timeNano: string }[] }

const kv = (o: Attr) => Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));

function tracesJson(spans: SpanSpec[], resource: Attr = { 'service.name': 'plausible' }): string {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: kv(resource) },
      scopeSpans: [{
        scope: { name: 'test' },
        spans: spans.map((s) => ({
          traceId: s.traceId ?? 'ab'.repeat(16), spanId: s.spanId, name: s.name ?? 'span', kind: 1,
          startTimeUnixNano: nanos(s.startMs), endTimeUnixNano: nanos(s.startMs + 5),
          attributes: kv(s.attrs ?? {}),
          events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: e.timeNano })),
        })),
      }],
    }],
  });
}

async function post(path: string, body: string | Buffer, type = 'application/json') {
  const started = performance.now();
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  const text = type === 'application/json' ? await res.text() : Buffer.from(await res.arrayBuffer()).toString('latin1');
  return { status: res.status, text, json: type === 'application/json' && text ? JSON.parse(text) : undefined, ms: performance.now() - started };
}

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await store.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

const activeSpanPartitions = async () => Number((await rows<{ n: string }>("SELECT uniqExact(partition) AS n FROM system.parts WHERE database = currentDatabase() AND table = 'spans' AND active"))[0]!.n);

beforeAll(async () => {
  store = await openStore({ dataDir: join(tempDataDir('fulcrum-plausible-'), 'data') });
  app = await buildApp({ store, analysis: false, limits: { requestsPerSecond: 0 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('plausible values only', () => {
  it('answers a 2,000-span request with a month between spans fast, rejecting the out-of-window ones, in a bounded number of partitions', async () => {
    // The same request with every span in one minute: what 2,000 spans cost on this machine, however loaded.
    const sameMinute = await post('/v1/traces', tracesJson(Array.from({ length: 2000 }, (_, i) => ({ traceId: 'cc'.repeat(16), spanId: hex(i + 1, 16), startMs: NOW_MS - i * 10 }))));
    expect(sameMinute.status).toBe(200);
    await app.spanWriter.flush();
    const before = await activeSpanPartitions();
    // Span i starts i months before now: 25 of them (0..24 months back) lie within the default 730 days.
    const spans = Array.from({ length: 2000 }, (_, i) => ({ traceId: 'cd'.repeat(16), spanId: hex(i + 1, 16), startMs: NOW_MS - i * 30 * DAY_MS, attrs: { 'session.id': 'months-apart' } }));
    const res = await post('/v1/traces', tracesJson(spans));
    await app.spanWriter.flush();
    const created = (await activeSpanPartitions()) - before;
    console.log(`2,000 spans a month apart: answered in ${res.ms.toFixed(0)} ms (the same spans within a minute: ${sameMinute.ms.toFixed(0)} ms), ${res.json.partialSuccess.rejectedSpans} rejected, ${created} partitions created`);
    expect(res.status).toBe(200);
    const inWindow = spans.filter((s) => s.startMs >= NOW_MS - 730 * DAY_MS).length;
    expect(res.json.partialSuccess.rejectedSpans).toBe(String(2000 - inWindow));
    expect(res.json.partialSuccess.errorMessage).toMatch(/^timestamp \d{4}-\d\d-\d\dT.* outside the accepted window/);
    // Unbounded, this request made 1,697 partitions and took 10 s; now it costs about what any 2,000 spans do.
    expect(res.ms).toBeLessThan(2 * sameMinute.ms + 1000);
    const [stored] = await rows<{ n: string }>("SELECT count() AS n FROM spans FINAL WHERE SessionId = 'months-apart'");
    expect(Number(stored!.n)).toBe(inWindow);
    expect(created).toBeLessThanOrEqual(26);
  });

  it('refuses an INSERT that would touch more than 100 partitions (the bound behind the window)', async () => {
    const wide = Array.from({ length: 150 }, (_, i) => ({ ...emptySpanRow(), Timestamp: nanos(NOW_MS - i * 31 * DAY_MS), TraceId: 'ef'.repeat(16), SpanId: hex(i + 1, 16), SessionId: 'too-wide' }));
    await expect(writeSpanRows(store, wide)).rejects.toThrow(/partitions/i);
  });

  it('accepts a future timestamp within a day and rejects one beyond, and the window is configurable', async () => {
    const res = await post('/v1/traces', tracesJson([
      { spanId: hex(0xa1, 16), startMs: NOW_MS + 12 * 3_600_000, attrs: { 'session.id': 'ahead' } },
      { spanId: hex(0xa2, 16), startMs: NOW_MS + 3 * DAY_MS, attrs: { 'session.id': 'ahead' } },
    ]));
    expect(res.json.partialSuccess.rejectedSpans).toBe('1');
    await expect(buildApp({ store, analysis: false, plausible: { timestampWindow: { pastMs: 10 * 365 * DAY_MS } } })).rejects.toThrow(/timestampWindow/);
  });

  it('rejects a maximum fixed64 start time instead of storing it as 1970, and clamps it where a column must hold it', async () => {
    // ExportTraceServiceRequest { resource_spans { scope_spans { span { trace_id, span_id, name, start = 2^64-1, end } } } }
    const fixed64 = (field: number, v: bigint) => { const b = Buffer.alloc(9); b[0] = (field << 3) | 1; b.writeBigUInt64LE(v, 1); return b; };
    const span = (id: number, start: bigint) => ld(2, Buffer.concat([ld(1, Buffer.from('12'.repeat(16), 'hex')), ld(2, Buffer.from(hex(id, 16), 'hex')), ld(5, Buffer.from('max-time')), fixed64(7, start), fixed64(8, start)]));
    const body = ld(1, ld(2, Buffer.concat([span(0xb1, 0xffff_ffff_ffff_ffffn), span(0xb2, BigInt(nanos(NOW_MS)))])));
    const res = await post('/v1/traces', body, 'application/x-protobuf');
    expect(res.status).toBe(200);
    // ExportTraceServiceResponse { partial_success { rejected_spans = 1, error_message } }
    const answer = Buffer.from(res.text, 'latin1');
    const inner = answer.subarray(1 + varint(answer.length - 2).length);
    expect(answer[0]).toBe(0x0a);
    expect([...inner.subarray(0, 2)]).toEqual([0x08, 0x01]);
    expect(res.text).toContain('outside the accepted window');
    await app.spanWriter.flush();
    const stored = await rows<{ SpanId: string; Year: number }>("SELECT SpanId, toYear(Timestamp) AS Year FROM spans WHERE SpanName = 'max-time'");
    expect(stored).toEqual([{ SpanId: hex(0xb2, 16), Year: new Date(NOW_MS).getUTCFullYear() }]);
    expect(clampNanos('18446744073709551615')).toBe('9223372036854775807');
    expect(clampNanos('-5')).toBe('0');
  });

  it('moves an event with an impossible time to its span start and marks the row', async () => {
    await post('/v1/traces', tracesJson([{ spanId: hex(0xc1, 16), startMs: NOW_MS - 1000, name: 'with-events', events: [{ name: 'ok', timeNano: nanos(NOW_MS - 500) }, { name: 'ancient', timeNano: '1' }] }]));
    await app.spanWriter.flush();
    const [r] = await rows<{ names: string[]; times: string[]; start: string; Truncated: boolean }>(
      "SELECT Events.Name AS names, arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS times, toString(toUnixTimestamp64Nano(Timestamp)) AS start, Truncated FROM spans WHERE SpanName = 'with-events'");
    expect(r!.names).toEqual(['ok', 'ancient']);
    expect(r!.times).toEqual([nanos(NOW_MS - 500), r!.start]);
    expect(r!.Truncated).toBe(true);
  });

  it('rejects a cost of 1e308 and absurd token counts per call, and the spend stays a finite number', async () => {
    const llm = (id: number, attrs: Attr) => ({ spanId: hex(id, 16), startMs: NOW_MS - 60_000 + id, name: 'chat', attrs: { 'session.id': 'costly', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', ...attrs } });
    const res = await post('/v1/traces', tracesJson([
      llm(0xd1, { 'fulcrum.cost.usd': '1e308' }),
      llm(0xd2, { 'fulcrum.cost.usd': '1e308' }),
      llm(0xd3, { 'fulcrum.cost.usd': '2.5' }),
      llm(0xd4, { 'fulcrum.cost.usd': '0.5', 'gen_ai.usage.output_tokens': '1000000000' }),
      llm(0xd5, { 'fulcrum.cost.usd': '999' }),
    ]));
    expect(res.json.partialSuccess.rejectedSpans).toBe('3');
    expect(res.json.partialSuccess.errorMessage).toContain('cost 1e+308 USD exceeds 1000 USD per call');
    expect(res.json.partialSuccess.errorMessage).toContain('token count 1000000000 exceeds 100000000 per call');
    await app.spanWriter.flush();
    const [sum] = await rows<{ spend: number; n: string }>("SELECT sum(CostUsd) AS spend, count() AS n FROM spans FINAL WHERE SessionId = 'costly'");
    expect({ spend: sum!.spend, n: Number(sum!.n) }).toEqual({ spend: 1001.5, n: 2 });
  });

  it('reads a cost stored before the bound existed as 0, so the report never prints null for a sum', async () => {
    // Rows written straight to the store, as an older ingest would have: two calls of 1e308 dollars and one of $3.
    const row = (id: number, cost: number) => ({ ...emptySpanRow(), Project: 'legacy', Timestamp: nanos(NOW_MS - 120_000 + id), TraceId: '9a'.repeat(16), SpanId: hex(id, 16), SessionId: 'legacy-session', SpanType: 'llm' as const, Model: 'm', CostUsd: cost });
    await writeSpanRows(store, [row(1, 1e308), row(2, 1e308), row(3, 3)]);
    const analysing = await buildApp({ store, defaultProject: 'legacy', analysis: { analyseAfterMs: 0 } });
    try {
      await analysing.analyser.runNow(0);
      const res = await analysing.inject({ method: 'GET', url: '/api/reports/waste?by=all' });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toMatch(/"spendUsd":null/);
      expect(res.json().total.spendUsd).toBe(3);
    } finally {
      await analysing.close();
    }
  });

  it('rejects metric points outside the window or beyond the value bound, per point', async () => {
    const point = (timeMs: number, value: number | string) => ({ asDouble: value, startTimeUnixNano: nanos(timeMs - 1000), timeUnixNano: nanos(timeMs), attributes: kv({ 'session.id': 'metric-session' }) });
    const body = JSON.stringify({ resourceMetrics: [{ resource: { attributes: kv({ 'service.name': 'claude-code' }) }, scopeMetrics: [{ metrics: [{
      name: 'claude_code.cost.usage', unit: 'USD', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point(NOW_MS - 5000, 1.25), point(NOW_MS - 4000, 1e308), point(NOW_MS - 800 * DAY_MS, 2)] },
    }] }] }] });
    const res = await post('/v1/metrics', body);
    expect(res.status).toBe(200);
    expect(res.json.partialSuccess.rejectedDataPoints).toBe('2');
    const stored = await rows<{ Value: number }>("SELECT Value FROM session_metrics WHERE SessionId = 'metric-session'");
    expect(stored).toEqual([{ Value: 1.25 }]);
  });
});
