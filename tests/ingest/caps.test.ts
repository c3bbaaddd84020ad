import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { ld } from '../reliability/fuzz-inputs.js';

const TEXT_CAP = 16_384;
const ID_CAP = 256;
const BIG = 'x'.repeat(10 * 1024 * 1024);
/** What an over-long id is stored as: `h:` and the first 32 hex digits of its SHA-256. */
const hashed = (id: string) => `h:${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
const NOW_MS = Date.now();
const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

let store: Store;
let app: FastifyInstance;
let url: string;

type Attr = Record<string, string>;
const kv = (o: Attr) => Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));

interface SpanJson {
  traceId: string; spanId: string; name: string; traceState?: string; kind: number;
  startTimeUnixNano: string; endTimeUnixNano: string; attributes: { key: string; value: unknown }[];
  events?: unknown[]; links?: unknown[]; status?: { code: number; message: string };
}

/** One request holding one span; `edit` puts the big value where the position says. */
function request(spanId: string, edit: (s: SpanJson, resource: Attr, scope: { name: string; version: string }) => void, attrs: Attr = {}): string {
  const resource: Attr = { 'service.name': 'caps' };
  const scope = { name: 'caps', version: '1' };
  const span: SpanJson = {
    traceId: 'ab'.repeat(16), spanId, name: `pos-${spanId}`, kind: 1,
    startTimeUnixNano: nanos(NOW_MS - 1000), endTimeUnixNano: nanos(NOW_MS - 900), attributes: kv({ 'session.id': 'caps-session', ...attrs }),
  };
  edit(span, resource, scope);
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: kv(resource) }, scopeSpans: [{ scope, spans: [span] }] }] });
}

async function post(path: string, body: string | Buffer, type = 'application/json') {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, text: await res.text() };
}

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await store.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

/** [position, the attributes or edit that put BIG there, SQL on the stored row, what it must be]. */
const TOOL = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Read' };
const POSITIONS: [string, Attr | ((s: SpanJson, r: Attr, sc: { name: string; version: string }) => void), string, unknown][] = [
  ['span name', (s) => (s.name = BIG), 'length(SpanName)', TEXT_CAP],
  ['trace state', (s) => (s.traceState = BIG), 'length(TraceState)', TEXT_CAP],
  ['status message', (s) => (s.status = { code: 2, message: BIG }), 'length(StatusMessage)', TEXT_CAP],
  ['service name', (_s, r) => (r['service.name'] = BIG), 'length(ServiceName)', TEXT_CAP],
  ['scope name', (_s, _r, sc) => (sc.name = BIG), 'length(ScopeName)', TEXT_CAP],
  ['scope version', (_s, _r, sc) => (sc.version = BIG), 'length(ScopeVersion)', TEXT_CAP],
  ['event name', (s) => (s.events = [{ name: BIG, timeUnixNano: s.startTimeUnixNano }]), 'length(Events.Name[1])', TEXT_CAP],
  ['event attribute key', (s) => (s.events = [{ name: 'e', timeUnixNano: s.startTimeUnixNano, attributes: kv({ [BIG]: 'v' }) }]), 'mapKeys(Events.Attributes[1])', [hashed(BIG)]],
  ['event attribute value', (s) => (s.events = [{ name: 'e', timeUnixNano: s.startTimeUnixNano, attributes: kv({ v: BIG }) }]), "length(Events.Attributes[1]['v'])", TEXT_CAP],
  ['link trace id', (s) => (s.links = [{ traceId: BIG, spanId: 'cd'.repeat(8) }]), "match(Links.TraceId[1], '^[0-9a-f]{32}$')", 1],
  ['link span id', (s) => (s.links = [{ traceId: 'cd'.repeat(16), spanId: BIG }]), "match(Links.SpanId[1], '^[0-9a-f]{16}$')", 1],
  ['link trace state', (s) => (s.links = [{ traceId: 'cd'.repeat(16), spanId: 'cd'.repeat(8), traceState: BIG }]), 'length(Links.TraceState[1])', TEXT_CAP],
  ['link attribute key', (s) => (s.links = [{ traceId: 'cd'.repeat(16), spanId: 'cd'.repeat(8), attributes: kv({ [BIG]: 'v' }) }]), 'mapKeys(Links.Attributes[1])', [hashed(BIG)]],
  ['span attribute key', { [BIG]: 'v' }, `has(mapKeys(SpanAttributes), '${hashed(BIG)}')`, 1],
  ['span attribute value', { big: BIG }, "length(SpanAttributes['big'])", TEXT_CAP],
  ['resource attribute key', (_s, r) => (r[BIG] = 'v'), `has(mapKeys(ResourceAttributes), '${hashed(BIG)}')`, 1],
  ['resource attribute value', (_s, r) => (r.big = BIG), "length(ResourceAttributes['big'])", TEXT_CAP],
  ['user id', { 'user.id': BIG }, 'UserId', hashed(BIG)],
  ['tool call id', { ...TOOL, 'gen_ai.tool.call.id': BIG }, 'ToolCallId', hashed(BIG)],
  ['args hash', { ...TOOL, 'fulcrum.tool.args_hash': BIG }, "match(ArgsHash, '^[0-9a-f]{16}$')", 1],
  ['team', { 'fulcrum.team': BIG }, 'length(Team)', TEXT_CAP],
  ['repository', { 'fulcrum.repository': BIG }, 'length(Repository)', TEXT_CAP],
  ['harness', (_s, r) => (r['fulcrum.harness'] = BIG), 'length(Harness)', TEXT_CAP],
  ['use case', { 'fulcrum.use_case': BIG }, 'length(UseCase)', TEXT_CAP],
  ['agent name', { 'gen_ai.agent.name': BIG }, 'length(AgentName)', TEXT_CAP],
  ['tool name', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': BIG }, 'length(ToolName)', TEXT_CAP],
  ['mcp server', { ...TOOL, 'fulcrum.mcp.server': BIG }, 'length(McpServer)', TEXT_CAP],
  ['skill name', { 'fulcrum.skill.name': BIG }, 'length(SkillName)', TEXT_CAP],
  ['model', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': BIG }, 'length(Model)', TEXT_CAP],
  ['error type', { 'error.type': BIG }, 'length(ErrorType)', TEXT_CAP],
  ['file path', { ...TOOL, 'fulcrum.file.path': `/${BIG}` }, 'length(FilePath) <= 16384 AND length(FilePath) > 16000', 1],
  ['command', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'fulcrum.command': BIG }, '(length(Command), length(CommandKey) <= 16384)', [TEXT_CAP, 1]],
  ['search pattern', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Grep', 'fulcrum.search.pattern': BIG }, '(length(SearchPattern), length(SearchKey) <= 16384)', [TEXT_CAP, 1]],
  ['tool arguments', { ...TOOL, 'gen_ai.tool.call.arguments': JSON.stringify({ file_path: `/${BIG}` }) }, "(length(SpanAttributes['gen_ai.tool.call.arguments']), length(FilePaths[1]) <= 16384, length(FilePath) <= 16384)", [TEXT_CAP, 1, 1]],
];

/** The longest string a ClickHouse value of this type holds, as SQL over `x` (undefined for non-string types). */
function longest(type: string, x: string, depth = 0, keysOnly = false): string | undefined {
  const inner = (t: string, prefix: string) => t.slice(prefix.length, -1);
  const split = (args: string) => {
    let level = 0;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '(') level++;
      else if (args[i] === ')') level--;
      else if (args[i] === ',' && level === 0) return [args.slice(0, i).trim(), args.slice(i + 1).trim()];
    }
    return [args];
  };
  const maxOf = (arr: string, t: string) => {
    const e = longest(t, `e${depth}`, depth + 1, keysOnly);
    return e === undefined ? undefined : `arrayMax(arrayPushBack(arrayMap(e${depth} -> ${e}, ${arr}), 0))`;
  };
  if (type.startsWith('LowCardinality(')) return longest(inner(type, 'LowCardinality('), x, depth, keysOnly);
  if (type.startsWith('Nullable(')) return longest(inner(type, 'Nullable('), x, depth, keysOnly);
  if (type === 'String') return keysOnly ? undefined : `length(${x})`;
  if (type.startsWith('Array(')) return maxOf(x, inner(type, 'Array('));
  if (type.startsWith('Map(')) {
    const [k, v] = split(inner(type, 'Map('));
    const keys = longest(k!, `k${depth}`, depth + 1, false);
    const values = keysOnly ? undefined : maxOf(`mapValues(${x})`, v!);
    const keyMax = keys && `arrayMax(arrayPushBack(arrayMap(k${depth} -> ${keys}, mapKeys(${x})), 0))`;
    return values ? `greatest(${keyMax}, ${values})` : keyMax;
  }
  return undefined;
}

/** Longest stored string per column of a table, and longest map key per map column. */
async function longestStored(table: string): Promise<{ values: Record<string, number>; keys: Record<string, number> }> {
  const columns = await rows<{ name: string; type: string }>('SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {t:String}', { t: table });
  const select = (keysOnly: boolean) => columns.flatMap((c) => {
    const e = longest(c.type, `\`${c.name}\``, 0, keysOnly);
    return e ? [`max(${e}) AS \`${c.name}\``] : [];
  });
  const [values] = await rows<Record<string, number>>(`SELECT ${select(false).join(', ')} FROM ${table}`);
  const keySelect = select(true);
  const [keys] = keySelect.length > 0 ? await rows<Record<string, number>>(`SELECT ${keySelect.join(', ')} FROM ${table}`) : [{}];
  const num = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v)]));
  return { values: num(values!), keys: num(keys!) };
}

beforeAll(async () => {
  store = await openStore({ dataDir: join(tempDataDir('fulcrum-caps-'), 'data') });
  app = await buildApp({ store, analysis: false, limits: { requestsPerSecond: 0 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('every stored string has a cap', () => {
  it('stores a 10 MB value in any position capped: text at 16 KB, ids and keys as a stable hash', async () => {
    const started = performance.now();
    for (const [i, [position, put]] of POSITIONS.entries()) {
      const spanId = hex(i + 1, 16);
      const body = typeof put === 'function' ? request(spanId, put) : request(spanId, () => undefined, put);
      const res = await post('/v1/traces', body);
      expect({ position, status: res.status, text: res.text }).toEqual({ position, status: 200, text: '{}' });
    }
    // Logs and metrics: a session id, an attribute key and values in each.
    const logAttrs = kv({ 'event.name': 'user_prompt', 'session.id': BIG, prompt: BIG, [BIG]: 'v', 'prompt.id': 'p1' });
    const logs = JSON.stringify({ resourceLogs: [{ resource: { attributes: kv({ 'service.name': 'claude-code' }) }, scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: [{ timeUnixNano: nanos(NOW_MS - 500), body: { stringValue: 'claude_code.user_prompt' }, attributes: logAttrs }] }] }] });
    expect((await post('/v1/logs', logs)).status).toBe(200);
    const metric = (resource: Attr, name: string, unit: string, attrs: Attr) => JSON.stringify({ resourceMetrics: [{ resource: { attributes: kv({ 'service.name': 'claude-code', ...resource }) }, scopeMetrics: [{ metrics: [{
      name, unit, sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asInt: '3', startTimeUnixNano: nanos(NOW_MS - 2000), timeUnixNano: nanos(NOW_MS - 1000), attributes: kv(attrs) }] },
    }] }] }] });
    // Two requests: the body limit is 64 MB.
    expect((await post('/v1/metrics', metric({}, BIG, BIG, { 'session.id': BIG, model: BIG }))).status).toBe(200);
    expect((await post('/v1/metrics', metric({ 'user.id': BIG }, 'm2', '1', { 'session.id': 'm2', 'fulcrum.team': BIG, [BIG]: BIG }))).status).toBe(200);
    await app.spanWriter.flush();
    console.log(`${POSITIONS.length + 2} requests of 10 MB each: ${(performance.now() - started).toFixed(0)} ms`);

    for (const [i, [position, , sql, expected]] of POSITIONS.entries()) {
      const [row] = await rows<{ v: unknown; Truncated: boolean }>(`SELECT ${sql} AS v, Truncated FROM spans FINAL WHERE SpanId = {id:String}`, { id: hex(i + 1, 16) });
      expect({ position, stored: row?.v, truncated: row?.Truncated }).toEqual({ position, stored: expected, truncated: true });
    }
    const [log] = await rows<{ SessionId: string; prompt: number; keys: string[] }>("SELECT SessionId, length(SpanAttributes['prompt']) AS prompt, mapKeys(SpanAttributes) AS keys FROM spans WHERE Source = 'otlp-logs'");
    expect(log).toMatchObject({ SessionId: hashed(BIG), prompt: TEXT_CAP });
    expect(log!.keys).toContain(hashed(BIG));
    const points = await rows<Record<string, unknown>>('SELECT SessionId, UserId, length(MetricName) AS name, length(Unit) AS unit, length(Model) AS model, length(Team) AS team, length(Activity) AS activity, Attributes FROM session_metrics ORDER BY name DESC');
    expect(points[0]).toMatchObject({ SessionId: hashed(BIG), name: TEXT_CAP, unit: TEXT_CAP, model: TEXT_CAP, activity: TEXT_CAP });
    expect(points[1]).toMatchObject({ SessionId: 'm2', UserId: hashed(BIG), team: TEXT_CAP });
    const attrs = points[1]!.Attributes as Record<string, string>;
    expect(attrs[hashed(BIG)]?.length).toBe(TEXT_CAP);

    // Whatever the position, no stored string anywhere is longer than its cap, and no id or key longer than the id cap.
    const ids = ['TraceId', 'SpanId', 'ParentSpanId', 'SessionId', 'ToolCallId', 'UserId', 'ArgsHash', 'EditOldHash', 'EditNewHash', 'IssuerSpanId', 'Links.TraceId', 'Links.SpanId', 'SeriesKey'];
    for (const table of ['spans', 'session_metrics']) {
      const { values, keys } = await longestStored(table);
      expect(Object.keys(values).length).toBeGreaterThan(0);
      for (const [column, n] of Object.entries(values)) expect({ table, column, n: Math.min(n, ids.includes(column) ? ID_CAP + 1 : TEXT_CAP + 1) }).toEqual({ table, column, n: Math.min(n, ids.includes(column) ? ID_CAP : TEXT_CAP) });
      for (const [column, n] of Object.entries(keys)) expect({ table, column, keyLength: Math.min(n, ID_CAP + 1) }).toEqual({ table, column, keyLength: Math.min(n, ID_CAP) });
    }
  });

  it('keeps two spans with the same 10 MB session id in one session, found by its hash and by the id itself', async () => {
    for (const id of [0xe1, 0xe2]) expect((await post('/v1/traces', request(hex(id, 16), (s) => (s.name = 'same-session'), { 'gen_ai.conversation.id': BIG }))).status).toBe(200);
    await app.spanWriter.flush();
    const stored = await rows<{ SessionId: string; n: number }>("SELECT SessionId, toUInt32(count()) AS n FROM spans FINAL WHERE SpanName = 'same-session' GROUP BY SessionId");
    expect(stored).toEqual([{ SessionId: hashed(BIG), n: 2 }]);
    const byHash = await app.inject({ method: 'GET', url: `/api/sessions/${encodeURIComponent(hashed(BIG))}` });
    expect(byHash.statusCode).toBe(200);
    expect(byHash.json().sessionId).toBe(hashed(BIG));
    // An id over the cap but short enough for a URL is looked up as stored.
    const long = `long-${'s'.repeat(1000)}`;
    await post('/v1/traces', request(hex(0xe3, 16), () => undefined, { 'gen_ai.conversation.id': long }));
    await app.spanWriter.flush();
    const byId = await fetch(`${url}/api/sessions/${encodeURIComponent(long)}`);
    expect(byId.status).toBe(200);
    expect(((await byId.json()) as { sessionId: string }).sessionId).toBe(hashed(long));
  });
});

describe('decoding edge cases', () => {
  it('fetches a session whose id is 200 characters long', async () => {
    const id = `sessión/ ${'7'.repeat(191)}`;
    expect(id.length).toBe(200);
    await post('/v1/traces', request(hex(0xf1, 16), () => undefined, { 'gen_ai.conversation.id': id }));
    await app.spanWriter.flush();
    const res = await fetch(`${url}/api/sessions/${encodeURIComponent(id)}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sessionId: string }).sessionId).toBe(id);
  });

  it('stores an attribute named __proto__, from JSON and from protobuf', async () => {
    const json = request(hex(0xf2, 16), (s) => {
      s.name = 'proto-json';
      s.attributes.push({ key: '__proto__', value: { stringValue: 'kept' } }, { key: 'nested', value: { kvlistValue: { values: [{ key: '__proto__', value: { stringValue: 'inner' } }] } } });
    });
    expect((await post('/v1/traces', json)).status).toBe(200);
    const kvPb = (k: string, v: string) => ld(9, Buffer.concat([ld(1, Buffer.from(k)), ld(2, ld(1, Buffer.from(v)))]));
    const start = Buffer.alloc(9);
    start[0] = (7 << 3) | 1;
    start.writeBigUInt64LE(BigInt(nanos(NOW_MS - 100)), 1);
    const span = ld(2, Buffer.concat([ld(1, Buffer.from('ab'.repeat(16), 'hex')), ld(2, Buffer.from(hex(0xf3, 16), 'hex')), ld(5, Buffer.from('proto-pb')), start, kvPb('__proto__', 'kept')]));
    expect((await post('/v1/traces', ld(1, ld(2, span)), 'application/x-protobuf')).status).toBe(200);
    await app.spanWriter.flush();
    const stored = await rows<{ SpanName: string; proto: string; nested: string }>("SELECT SpanName, SpanAttributes['__proto__'] AS proto, SpanAttributes['nested'] AS nested FROM spans WHERE SpanName LIKE 'proto-%' ORDER BY SpanName");
    expect(stored).toEqual([
      { SpanName: 'proto-json', proto: 'kept', nested: '{"__proto__":"inner"}' },
      { SpanName: 'proto-pb', proto: 'kept', nested: '' },
    ]);
  });

  it('refuses a JSON body declared in another charset than UTF-8 with 415, and reads utf-8 or none as UTF-8', async () => {
    const body = request(hex(0xf4, 16), (s) => (s.name = 'charset-é'));
    const utf16 = await post('/v1/traces', Buffer.from(body, 'utf16le'), 'application/json; charset=utf-16');
    expect(utf16.status).toBe(415);
    expect(JSON.parse(utf16.text).message).toContain('UTF-8');
    for (const type of ['application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'application/json']) {
      expect((await post('/v1/traces', body, type)).status).toBe(200);
    }
    await app.spanWriter.flush();
    expect(await rows('SELECT DISTINCT SpanName FROM spans WHERE SpanId = {id:String}', { id: hex(0xf4, 16) })).toEqual([{ SpanName: 'charset-é' }]);
  });
});
