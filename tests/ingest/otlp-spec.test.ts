import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { buildApp, startServer, type RunningServer } from '@fulcrum/server';
import { openStore } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces, post } from '../helpers/otlp.js';

let server: RunningServer;
const TRACE = '5b8efff798038103d269b633813fc60c';
const url = () => `${server.url}/v1/traces`;

async function spanCount(): Promise<number> {
  const rs = await server.app.store.client.query({ query: 'SELECT count() AS n FROM spans FINAL', format: 'JSONEachRow' });
  return (await rs.json<{ n: number }>())[0]!.n;
}

/** google.rpc.Status decoded from protobuf: code (1, varint), message (2, string). */
function decodeStatus(buf: Buffer): { code: number; message: string } {
  expect(buf[0]).toBe(0x08);
  const code = buf[1]!;
  expect(buf[2]).toBe(0x12);
  return { code, message: buf.subarray(4, 4 + buf[3]!).toString('utf8') };
}

beforeAll(async () => {
  server = await startServer({ port: 0, bodyLimit: 1024 * 1024, store: { dataDir: tempDataDir() } });
});
afterAll(async () => server?.close());

describe('OTLP/HTTP /v1/traces status codes', () => {
  it('answers 200 with an empty ExportTraceServiceResponse for an empty request, in each encoding', async () => {
    const json = await post(url(), '{}', 'application/json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(json.body.toString())).toEqual({});
    const proto = await post(url(), Buffer.alloc(0), 'application/x-protobuf');
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    expect(proto.body.length).toBe(0);
  });

  it('answers 415 with a Status body for an unknown content type', async () => {
    const res = await post(url(), 'hello', 'text/plain');
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 3, message: expect.stringContaining('unsupported content type') });
  });

  it('answers 400 with a JSON Status for malformed JSON and stores nothing', async () => {
    const res = await post(url(), '{"resourceSpans": [', 'application/json');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 3, message: expect.stringContaining('malformed request body') });
    const wrongShape = await post(url(), '{"resourceSpans": {"not": "an array"}}', 'application/json');
    expect(wrongShape.status).toBe(400);
    expect(await spanCount()).toBe(0);
  });

  it('answers 400 with a protobuf Status for malformed protobuf and stores nothing', async () => {
    const res = await post(url(), Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]), 'application/x-protobuf');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    const status = decodeStatus(res.body);
    expect(status.code).toBe(3);
    expect(status.message).toContain('malformed request body');
    expect(await spanCount()).toBe(0);
  });

  it('answers 400 for a corrupt gzip body', async () => {
    const res = await post(url(), Buffer.from('not gzip at all'), 'application/json', false, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
  });

  it('answers 413 for a body over the limit, plain', async () => {
    const big = jsonTraces([{ traceId: TRACE, spanId: '00f067aa0ba902b7', attributes: { blob: 'x'.repeat(1024 * 1024 + 10) } }]);
    const res = await post(url(), big, 'application/json');
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString()).code).toBe(8);
  });

  it('answers 413 for a gzip bomb without inflating it in memory', async () => {
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 }); // 256 MiB of zeros → ~250 KiB
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const res = await post(url(), bomb, 'application/x-protobuf', false, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(decodeStatus(res.body).code).toBe(8);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 1024 * 1024);
  });

  it('accepts gzip bodies and stores their spans', async () => {
    const body = jsonTraces([{ traceId: TRACE, spanId: '00f067aa0ba902b7', attributes: { 'gen_ai.operation.name': 'chat' } }]);
    const res = await post(url(), body, 'application/json', true);
    expect(res.status).toBe(200);
    expect(await spanCount()).toBe(1);
  });

  it('answers partial_success when some spans have invalid ids, storing the rest', async () => {
    const body = jsonTraces([
      { traceId: TRACE, spanId: '1111111111111111' },
      { traceId: 'nothex', spanId: '2222222222222222' },
      { traceId: TRACE, spanId: '0000000000000000' },
    ]);
    const res = await post(url(), body, 'application/json');
    expect(res.status).toBe(200);
    const parsed = JSON.parse(res.body.toString());
    expect(parsed.partialSuccess.rejectedSpans).toBe('2');
    expect(parsed.partialSuccess.errorMessage).toContain('invalid trace id');
    expect(await spanCount()).toBe(2);
  });
});

describe('store unavailable', () => {
  it('answers 503 with Retry-After, never 500', async () => {
    const store = await openStore({ url: 'http://127.0.0.1:1', migrate: false });
    const app = await buildApp({ store, retryAfterSeconds: 7 });
    const res = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: jsonTraces([{ traceId: TRACE, spanId: '3333333333333333' }]) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json()).toMatchObject({ code: 14 });
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'unavailable', store: { kind: 'server', reachable: false } });
    await app.close();
    await store.close();
  });
});
