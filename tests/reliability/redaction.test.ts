import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@fulcrum/ingest';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { CARRIERS, leaked } from './secrets-corpus.js';

let real: Store;
const down = { on: false };
let dir: string;
const logFile = () => join(dir, 'ingest.log');
const spoolDir = () => join(dir, 'spool');

/** Spans with a secret carrier in every position a plain OpenTelemetry client can put text. */
function spansWithSecrets(session: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const resource: Record<string, string> = { 'service.name': 'plain-otel-app', 'vcs.repository.url.full': `https://x:${'y'}@h/${CARRIERS[3]}` };
  CARRIERS.forEach((c, i) => (resource[`res.${i}`] = c));
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('leaky', '1.0');
  CARRIERS.forEach((c, i) => {
    const root = tracer.startSpan(`invoke_agent ${c}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': session, 'fulcrum.repository': c, 'gen_ai.request.model': c } });
    const tool = tracer.startSpan(`execute_tool Bash ${c}`, {
      attributes: {
        'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'gen_ai.tool.call.id': `call-${i}`, 'gen_ai.conversation.id': session,
        'gen_ai.tool.call.arguments': JSON.stringify({ command: c, description: c }), 'fulcrum.team': c, 'user.id': c, 'error.type': c, [`attr.${i}`]: c, list: [c, c],
      },
    }, trace.setSpan(context.active(), root));
    tool.addEvent(`event ${c}`, { detail: c, 'exception.message': c });
    tool.setStatus({ code: SpanStatusCode.ERROR, message: c });
    tool.end();
    const read = tracer.startSpan('execute_tool Read', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Read', 'gen_ai.conversation.id': session, 'gen_ai.tool.call.arguments': JSON.stringify({ file_path: `/tmp/${c}` }) } }, trace.setSpan(context.active(), root));
    read.end();
    root.end();
  });
  return memory.getFinishedSpans();
}

const exportWith = (e: SpanExporter, spans: ReadableSpan[]) => new Promise<ExportResult>((resolve) => e.export(spans, resolve));

/** Claude Code events (stored as rows) with secrets in the body, prompt, tool parameters and a bash command. */
async function sendLogs(url: string, session: string): Promise<void> {
  const exporter = new OTLPLogExporter({ url: `${url}/v1/logs` });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'claude-code', 'session.id': session }), processors: [new SimpleLogRecordProcessor(exporter)] });
  const logger = provider.getLogger('com.anthropic.claude_code.events');
  CARRIERS.forEach((c, i) => {
    logger.emit({ body: `claude_code.tool_result ${c}`, timestamp: 1_763_800_000_000 + i, attributes: { 'event.name': 'tool_result', 'session.id': session, tool_name: 'Bash', success: 'true', duration_ms: '12', tool_parameters: JSON.stringify({ bash_command: c, full_command: c }), error: c } });
    logger.emit({ body: 'claude_code.user_prompt', timestamp: 1_763_800_000_000 + i, attributes: { 'event.name': 'user_prompt', 'session.id': session, prompt: c, 'prompt.id': `p${i}` } });
    logger.emit({ body: 'claude_code.api_request', timestamp: 1_763_800_000_000 + i, attributes: { 'event.name': 'api_request', 'session.id': session, model: c, cost_usd: '0.01', input_tokens: '10' } });
  });
  await provider.forceFlush();
  await provider.shutdown();
}

/** Claude Code counters with secrets in point and resource attributes (sent as OTLP/JSON, as Claude Code can). */
async function sendMetrics(url: string, session: string): Promise<number> {
  const attrs = CARRIERS.map((c, i) => ({ key: `a${i}`, value: { stringValue: c } }));
  const body = { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }, { key: 'note', value: { stringValue: CARRIERS[0] } }] }, scopeMetrics: [{ metrics: [{
    name: 'claude_code.token.usage', unit: 'tokens', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asInt: '5', startTimeUnixNano: '1763800000000000000', timeUnixNano: '1763800001000000000', attributes: [{ key: 'session.id', value: { stringValue: session } }, { key: 'model', value: { stringValue: CARRIERS[1] } }, ...attrs] }] },
  }] }] }] };
  const res = await fetch(`${url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.status;
}

async function dump(sql: string): Promise<string> {
  return (await real.client.query({ query: sql, format: 'TabSeparated' })).text();
}

async function startApp(): Promise<{ app: FastifyInstance; url: string }> {
  // The store behind a switch that makes INSERTs fail, as an unreachable ClickHouse would.
  const store: Store = { ...real, insertEncoded: (...a) => (down.on ? Promise.reject(new Error('connect ECONNREFUSED')) : real.insertEncoded(...a)) };
  const app = await buildApp({ store, spoolDir: spoolDir(), limits: { requestsPerSecond: 0 }, logger: { level: 'trace', file: logFile() } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  dir = tempDataDir('fulcrum-redact-');
  real = await openStore({ dataDir: join(dir, 'data') });
});
afterAll(async () => real?.close());

describe('redaction: secrets from a plain OpenTelemetry client never reach disk', () => {
  it('store up: nothing secret in spans, session_metrics or the log file', async () => {
    const { app, url } = await startApp();
    const spans = spansWithSecrets('redact-up');
    expect((await exportWith(new ProtoExporter({ url: `${url}/v1/traces` }), spans)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportWith(new JsonExporter({ url: `${url}/v1/traces` }), spansWithSecrets('redact-up-json'))).code).toBe(ExportResultCode.SUCCESS);
    await sendLogs(url, 'redact-up');
    expect(await sendMetrics(url, 'redact-up')).toBe(200);
    await app.close();

    const spansText = await dump('SELECT * FROM spans');
    // The rows are there (a vacuous pass would find no secrets in an empty table).
    expect(Number(await dump("SELECT count() FROM spans WHERE SessionId LIKE 'redact-up%'"))).toBeGreaterThanOrEqual(CARRIERS.length * 3 * 2);
    expect(Number(await dump("SELECT count() FROM spans WHERE Source = 'otlp-logs'"))).toBeGreaterThan(0);
    expect(spansText).toContain('[REDACTED:');
    expect(leaked(spansText)).toEqual([]);
    const metricsText = await dump('SELECT * FROM session_metrics');
    expect(metricsText).toContain('redact-up');
    expect(leaked(metricsText)).toEqual([]);
    expect(leaked(readFileSync(logFile(), 'utf8'))).toEqual([]);
  });

  it('store down: the batch lands in the spool redacted, and drains redacted', async () => {
    down.on = true;
    const { app, url } = await startApp();
    expect((await exportWith(new ProtoExporter({ url: `${url}/v1/traces` }), spansWithSecrets('redact-down'))).code).toBe(ExportResultCode.SUCCESS);
    await sendLogs(url, 'redact-down');
    const files = readdirSync(spoolDir()).filter((f) => f.endsWith('.batch'));
    expect(files.length).toBeGreaterThan(0); // acknowledged from the spool, not the store
    const spoolText = files.map((f) => readFileSync(join(spoolDir(), f), 'utf8')).join('\n');
    expect(spoolText).toContain('redact-down');
    expect(leaked(spoolText)).toEqual([]);
    down.on = false;
    await app.close(); // drains the spool into the store
    expect(Number(await dump("SELECT count() FROM spans WHERE SessionId = 'redact-down'"))).toBeGreaterThan(0);
    expect(leaked(await dump('SELECT * FROM spans'))).toEqual([]);
    expect(leaked(readFileSync(logFile(), 'utf8'))).toEqual([]);
  });
});
