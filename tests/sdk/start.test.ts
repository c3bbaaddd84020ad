import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureWrappers, getSettings, parseKeyValueList, startTracing, traceModelCall, traceToolCall, tracesUrl, withSession } from '../../packages/sdk/src/index.js';
import { FAKE_SECRETS } from './secrets.js';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: Record<string, unknown> }> }; scopeSpans: Array<{ spans: Array<{ name: string }> }> }> };
}

let server: Server;
let base: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const resourceOf = (r: Received): Record<string, unknown> =>
  Object.fromEntries(r.body.resourceSpans[0].resource.attributes.map((a) => [a.key, Object.values(a.value)[0]]));

describe('startTracing over OTLP/HTTP', () => {
  it('honours OTEL_ env vars, options override them, and shutdown flushes', async () => {
    received.length = 0;
    const handle = startTracing({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: base,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-fulcrum-key=k%201,x-over=env',
        OTEL_SERVICE_NAME: 'svc-env',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=ci,service.name=ignored,fulcrum.team=env-team',
      },
      headers: { 'x-over': 'opt' },
      team: 'opt-team',
      repository: 'acme/app',
      harness: 'my-harness',
      useCase: 'migration',
    });
    traceToolCall({ name: 'Read', args: { file_path: 'a' } }, () => 'x');
    await handle.shutdown();
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r.url).toBe('/v1/traces');
    expect(r.headers['x-fulcrum-key']).toBe('k 1');
    expect(r.headers['x-over']).toBe('opt');
    const res = resourceOf(r);
    expect(res).toMatchObject({
      'service.name': 'svc-env',
      'deployment.environment': 'ci',
      'fulcrum.team': 'opt-team',
      'fulcrum.repository': 'acme/app',
      'fulcrum.harness': 'my-harness',
      'fulcrum.use_case': 'migration',
      'telemetry.sdk.language': 'nodejs',
    });
    expect('user.id' in res).toBe(false);
    expect(r.body.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name)).toEqual(['execute_tool Read']);
  });

  it('can start again after shutdown; explicit endpoint, service name and user id', async () => {
    received.length = 0;
    const handle = startTracing({ env: { OTEL_SERVICE_NAME: 'svc-env' }, endpoint: `${base}/`, serviceName: 'svc-opt', userId: 'u-42' });
    expect(() => startTracing({ env: {} })).toThrow(/already started/);
    traceToolCall({ name: 'Bash', args: { command: 'ls' } }, () => '');
    await handle.forceFlush();
    expect(received).toHaveLength(1);
    expect(resourceOf(received[0])).toMatchObject({ 'service.name': 'svc-opt', 'user.id': 'u-42' });
    await handle.shutdown();
    await handle.shutdown();
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('true: the wrappers still run and return, nothing is recorded or sent', async () => {
    received.length = 0;
    const handle = startTracing({ env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: base }, logger: false });
    const out = withSession({ sessionId: 'off' }, () => traceToolCall({ name: 'Read', args: { file_path: 'a' } }, () => 'content'));
    expect(out).toBe('content');
    const report = await handle.shutdown();
    expect(report).toMatchObject({ exported: 0, dropped: 0, failed: 0, pending: 0 });
    expect(received).toHaveLength(0);
  });
});

describe('startTracing wrapper settings', () => {
  it('price overrides and args length apply to the wrappers, and reset on shutdown', async () => {
    const exporter = new InMemorySpanExporter();
    const handle = startTracing({
      env: {},
      exporter,
      batch: false,
      maxArgsLength: 40,
      // Removing the claude-sonnet-4- family leaves claude-sonnet-4-5 unpriced (only exact models and families match).
      prices: { 'acme-coder': { input: 1, output: 2, cacheRead: 0, cacheWrite: 0, provider: 'other' }, 'claude-sonnet-4-': null },
    });
    traceModelCall({ provider: 'acme', model: 'acme-coder-v2' }, () => ({ usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 } }));
    traceModelCall({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, () => ({ usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0 } }));
    traceToolCall({ name: 'Write', args: { file_path: 'f', content: 'y'.repeat(100) } }, () => '');
    const [acme, sonnet, write] = exporter.getFinishedSpans();
    expect(acme.attributes['fulcrum.cost.usd']).toBe(3);
    expect(sonnet.attributes['fulcrum.cost.unpriced']).toBe(true);
    expect(String(write.attributes['fulcrum.tool.args'])).toHaveLength(40);
    await handle.shutdown();
  });
});

describe('deferred tool attributes reach every exporter, redacted', () => {
  const call = () =>
    traceToolCall({ name: 'Bash', id: 'b1', args: { command: `GITHUB_TOKEN=${FAKE_SECRETS.github} npm test` } }, () => 'ok');
  const expected = {
    'gen_ai.tool.name': 'Bash',
    'gen_ai.tool.call.id': 'b1',
    'fulcrum.command': 'GITHUB_TOKEN=[REDACTED:github_token] npm test',
    'fulcrum.tool.args': '{"command":"GITHUB_TOKEN=[REDACTED:github_token] npm test"}',
    'fulcrum.tool.result_size': 2,
    'fulcrum.success': true,
  };

  it('batched: the exporter sees them after a flush; extra processors see them at onEnd', async () => {
    const exporter = new InMemorySpanExporter();
    const extra = new InMemorySpanExporter();
    const handle = startTracing({ env: {}, exporter, spanProcessors: [new SimpleSpanProcessor(extra)] });
    expect(getSettings().deferToolAttributes).toBe(true);
    call();
    expect(extra.getFinishedSpans()[0].attributes).toMatchObject(expected);
    await handle.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span.attributes).toMatchObject(expected);
    expect(JSON.stringify(span.attributes)).not.toContain(FAKE_SECRETS.github);
    await handle.shutdown();
    expect(getSettings().deferToolAttributes).toBeFalsy();
  });

  it('another tracer turns deferral off, so its pipeline gets the attributes at start', async () => {
    const exporter = new InMemorySpanExporter();
    const handle = startTracing({ env: {}, exporter, batch: false });
    const previous = configureWrappers({ tracer: getSettings().tracer });
    expect(getSettings().deferToolAttributes).toBe(false);
    call();
    expect(exporter.getFinishedSpans()[0].attributes).toMatchObject(expected);
    configureWrappers(previous);
    await handle.shutdown();
  });
});

describe('OTEL env parsing', () => {
  it('tracesUrl', () => {
    expect(tracesUrl({})).toBe('http://localhost:4318/v1/traces');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x' })).toBe('http://t/x');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x' }, 'http://opt')).toBe('http://opt/v1/traces');
  });
  it('parseKeyValueList', () => {
    expect(parseKeyValueList(' a = 1 ,b=x%3Dy,,=bad,c')).toEqual({ a: '1', b: 'x=y' });
    expect(parseKeyValueList(undefined)).toEqual({});
  });
});
