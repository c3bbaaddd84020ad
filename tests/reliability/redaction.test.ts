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
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { CARRIERS, SECRETS, leaked } from './secrets-corpus.js';

let real: Store;
const down = { on: false };
let dir: string;
const logFile = () => join(dir, 'ingest.log');
const spoolDir = () => join(dir, 'spool');
// Recent times: the server rejects rows outside its timestamp window (a Date, as a number below the
// process's time origin is read by the OpenTelemetry SDK as a performance.now() offset).
const T_MS = Date.now() - 3_600_000;
const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

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
    logger.emit({ body: `claude_code.tool_result ${c}`, timestamp: new Date(T_MS + i), attributes: { 'event.name': 'tool_result', 'session.id': session, tool_name: 'Bash', success: 'true', duration_ms: '12', tool_parameters: JSON.stringify({ bash_command: c, full_command: c }), error: c } });
    logger.emit({ body: 'claude_code.user_prompt', timestamp: new Date(T_MS + i), attributes: { 'event.name': 'user_prompt', 'session.id': session, prompt: c, 'prompt.id': `p${i}` } });
    logger.emit({ body: 'claude_code.api_request', timestamp: new Date(T_MS + i), attributes: { 'event.name': 'api_request', 'session.id': session, model: c, cost_usd: '0.01', input_tokens: '10' } });
  });
  await provider.forceFlush();
  await provider.shutdown();
}

/** Claude Code counters with secrets in point and resource attributes (sent as OTLP/JSON, as Claude Code can). */
async function sendMetrics(url: string, session: string): Promise<number> {
  const attrs = CARRIERS.map((c, i) => ({ key: `a${i}`, value: { stringValue: c } }));
  const body = { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }, { key: 'note', value: { stringValue: CARRIERS[0] } }] }, scopeMetrics: [{ metrics: [{
    name: 'claude_code.token.usage', unit: 'tokens', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asInt: '5', startTimeUnixNano: nanos(T_MS), timeUnixNano: nanos(T_MS + 1000), attributes: [{ key: 'session.id', value: { stringValue: session } }, { key: 'model', value: { stringValue: CARRIERS[1] } }, ...attrs] }] },
  }] }] }] };
  const res = await fetch(`${url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.status;
}

async function dump(sql: string): Promise<string> {
  return (await real.client.query({ query: sql, format: 'TabSeparated' })).text();
}

/** Every row of every table in the store's database, as text. */
async function dumpEveryTable(): Promise<{ text: string; rows: Record<string, number> }> {
  const tables = (await dump('SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name')).split('\n').filter(Boolean);
  const rows: Record<string, number> = {};
  let text = '';
  for (const t of tables) {
    const body = await dump(`SELECT * FROM \`${t}\``);
    rows[t] = body.split('\n').filter(Boolean).length;
    text += body;
  }
  return { text, rows };
}

/** Every file under a directory, as text (binary files too: their strings are stored as bytes). */
function readTree(root: string): string {
  return readdirSync(root, { withFileTypes: true }).map((e) => (e.isDirectory() ? readTree(join(root, e.name)) : readFileSync(join(root, e.name), 'latin1') + readFileSync(join(root, e.name), 'utf8'))).join('\n');
}

/** Log text with any percent-encoding undone, so an encoded secret counts as found. */
const decoded = (text: string) => text.replace(/%[0-9A-Fa-f]{2}/g, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));

const kv = (o: Record<string, string>) => Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));
const spread = (make: (c: string, i: number) => Record<string, string>) => Object.assign({}, ...CARRIERS.map(make)) as Record<string, string>;

/**
 * Raw OTLP/JSON with a carrier in every position the protocol has, including the ones no SDK
 * lets a caller fill: attribute keys at every level, session ids, span, event and scope names,
 * link ids and state, the args hash, URLs with query strings and header values.
 */
function everywhereTraces(tag: string): string {
  const resource = { 'service.name': `everywhere-${tag}`, ...spread((c, i) => ({ [c]: `rv${i}`, [`rk${i}`]: c })) };
  const spans = CARRIERS.map((c, i) => ({
    // Ids of their own per run: the up and down runs' spans share redacted session ids, and a merge would fold equal keys into one row.
    traceId: hex(tag === 'up' ? 0xabc : 0xabd, 32), spanId: hex((tag === 'up' ? 0x100 : 0x200) + i + 1, 16), traceState: c, name: c, kind: 1,
    startTimeUnixNano: nanos(T_MS + i), endTimeUnixNano: nanos(T_MS + i + 5),
    attributes: kv({
      [c]: c, 'gen_ai.conversation.id': i === 0 ? `everywhere-${tag}` : c, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': c, 'gen_ai.tool.call.id': c,
      'fulcrum.tool.args_hash': c, 'user.id': c, 'fulcrum.team': c, 'fulcrum.command': c, 'fulcrum.file.path': `/tmp/${c}`, 'fulcrum.search.pattern': c,
      'url.full': `https://api.example.com/v1/models?api_key=${SECRETS.openai}&token=${SECRETS.github}`, 'http.request.header.authorization': `Bearer ${SECRETS.bearer}`,
    }),
    events: [{ name: c, timeUnixNano: nanos(T_MS + i + 1), attributes: kv({ [c]: c }) }],
    links: [{ traceId: c, spanId: c, traceState: c, attributes: kv({ [c]: c }) }],
    status: { code: 2, message: c },
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: kv(resource) }, scopeSpans: [{ scope: { name: CARRIERS[0], version: CARRIERS[1], attributes: kv(spread((c) => ({ [c]: c }))) }, spans }] }] });
}

/** Claude Code events whose keys, values, body and session id carry the secrets. */
function everywhereLogs(tag: string): string {
  const records = CARRIERS.map((c, i) => ({
    timeUnixNano: nanos(T_MS + i), body: { stringValue: c },
    attributes: kv({ 'event.name': 'user_prompt', 'session.id': i === 0 ? `everywhere-${tag}` : c, prompt: c, 'prompt.id': c, [c]: c }),
  }));
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: kv({ 'service.name': 'claude-code', ...spread((c) => ({ [c]: c })) }) }, scopeLogs: [{ scope: { name: CARRIERS[2] }, logRecords: records }] }] });
}

/** Metric points whose names, units, keys, values and session ids carry the secrets. */
function everywhereMetrics(tag: string): string {
  const metrics = CARRIERS.map((c, i) => ({
    name: c, unit: c, sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asInt: '1', startTimeUnixNano: nanos(T_MS), timeUnixNano: nanos(T_MS + 1000 + i), attributes: kv({ 'session.id': i === 0 ? `everywhere-${tag}` : c, model: c, [c]: c }) }] },
  }));
  return JSON.stringify({ resourceMetrics: [{ resource: { attributes: kv({ 'service.name': 'claude-code', 'user.id': CARRIERS[3], ...spread((c) => ({ [c]: c })) }) }, scopeMetrics: [{ metrics }] }] });
}

/** Sends every position, with keys in the URL's query string and the headers, plus requests that fail. */
async function sendEverywhere(url: string, tag: string): Promise<void> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.bearer}`, 'x-api-key': SECRETS.anthropic };
  const query = `?api_key=${SECRETS.envKey}&token=${encodeURIComponent(SECRETS.awsSecret)}`;
  for (const [path, body] of [['/v1/traces', everywhereTraces(tag)], ['/v1/logs', everywhereLogs(tag)], ['/v1/metrics', everywhereMetrics(tag)]] as const) {
    const res = await fetch(`${url}${path}${query}`, { method: 'POST', headers, body });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
  }
  // Refused requests: a body that is not JSON, an unknown route and an unknown session, each carrying secrets.
  expect((await fetch(`${url}/v1/traces${query}`, { method: 'POST', headers, body: `{"oops": ${CARRIERS.join(' ')}` })).status).toBe(400);
  expect((await fetch(`${url}/v1/${SECRETS.github}${query}`, { headers })).status).toBe(404);
  // The API refuses parameters it does not take (400) before it looks the session up (404): both, each carrying secrets.
  expect((await fetch(`${url}/api/sessions/${encodeURIComponent(`no such ${CARRIERS[2]}`)}${query}`, { headers })).status).toBe(400);
  expect((await fetch(`${url}/api/sessions/${encodeURIComponent(`no such ${CARRIERS[2]}`)}`, { headers })).status).toBe(404);
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

describe('redaction: a secret in every position never reaches a table, the spool or the log', () => {
  it('store up, then down: every row of every table, every spool file and the log hold none of them', async () => {
    down.on = false;
    const up = await startApp();
    await sendEverywhere(up.url, 'up');
    await up.app.spanWriter.flush();
    await up.app.analyser.runNow(0);
    // A session stored under a redacted id is found by the id its client sent.
    const found = await fetch(`${up.url}/api/sessions/${encodeURIComponent(CARRIERS[2]!)}`);
    expect(found.status).toBe(200);
    expect(((await found.json()) as { sessionId: string }).sessionId).toContain('[REDACTED:');
    await up.app.close();

    down.on = true;
    const downApp = await startApp();
    await sendEverywhere(downApp.url, 'down');
    const spooled = readTree(spoolDir());
    expect(spooled).toContain('everywhere-down'); // acknowledged from the spool
    expect(leaked(spooled)).toEqual([]);
    down.on = false;
    await downApp.app.close(); // drains the spool

    const { text, rows } = await dumpEveryTable();
    // Not vacuous: the rows are there, in spans, session_metrics and the analysis tables.
    expect(Number(await dump("SELECT count() FROM spans WHERE ServiceName = 'everywhere-up'"))).toBe(CARRIERS.length);
    expect(Number(await dump("SELECT count() FROM spans WHERE ServiceName = 'everywhere-down'"))).toBe(CARRIERS.length);
    expect(Number(await dump("SELECT count() FROM session_metrics WHERE SessionId = 'everywhere-up'"))).toBe(1);
    expect(Object.entries(rows).filter(([, n]) => n > 0).map(([t]) => t)).toEqual(expect.arrayContaining(['spans', 'session_metrics', 'session_summaries']));
    expect(text).toContain('[REDACTED:');
    expect(leaked(text)).toEqual([]);
    const log = readFileSync(logFile(), 'utf8');
    expect(log).toContain('/v1/traces');
    expect(log).not.toContain('api_key');
    expect(leaked(log)).toEqual([]);
    expect(leaked(decoded(log))).toEqual([]);
  });
});
