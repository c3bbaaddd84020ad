import { createHash } from 'node:crypto';

/**
 * Hand-built sessions as OTLP/JSON, following Fulcrum's conventions: a session
 * span, model calls with a declared cost, and tool calls with their arguments'
 * hash, file, range, command and result size.
 */
export const T0 = 1_763_800_000_000; // ms: 2025-11-22T08:26:40Z

export interface SpanSpec {
  id: string;
  parent?: string;
  name?: string;
  /** Milliseconds after T0. */
  at: number;
  durMs?: number;
  attrs: Record<string, string | number | boolean>;
  error?: boolean;
}

/** A stable id of `len` hex digits for a name. */
export const hex = (s: string, len: number) => createHash('sha256').update(s).digest('hex').slice(0, len);

/** A model call costing `cost` dollars with `tokens` input tokens. */
export const llm = (id: string, at: number, cost: number, tokens = 1000, parent = 'root'): SpanSpec => ({
  id, parent, at, name: 'chat claude-sonnet-4-5',
  attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': tokens, 'gen_ai.usage.output_tokens': 0, 'fulcrum.cost.usd': cost },
});

/** A tool call; `extra` carries file/range/command/result size/success. */
export const tool = (id: string, at: number, name: string, argsHash: string, extra: Record<string, string | number | boolean> = {}, parent = 'root'): SpanSpec => ({
  id, parent, at, name: `execute_tool ${name}`,
  attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name, 'fulcrum.tool.args_hash': argsHash, ...extra },
  error: extra['fulcrum.success'] === false,
});

/** Each model call issues the tool call that follows it: the common agent loop. */
export function loop(calls: { tool: string; hash: string; extra?: Record<string, string | number | boolean> }[], costEach: number, start = 1): SpanSpec[] {
  return calls.flatMap((c, i) => [llm(`m${i + start}`, (i + start) * 1000, costEach), tool(`t${i + start}`, (i + start) * 1000 + 500, c.tool, c.hash, c.extra)]);
}

const kv = (o: Record<string, string | number | boolean>) =>
  Object.entries(o).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));

export interface SessionSpec {
  session: string;
  team?: string;
  repository?: string;
  harness?: string;
  user?: string;
  /** Ms offset of the whole session from T0. */
  offsetMs?: number;
  spans: SpanSpec[];
}

/** Span ids are the session name + span id, hex-encoded, so tests can map them back. */
export const spanIdOf = (session: string, id: string) => hex(`${session}/${id}`, 16);

export function otlpJson(s: SessionSpec): string {
  const traceId = hex(s.session, 32);
  const t = (ms: number) => String(BigInt(T0 + (s.offsetMs ?? 0) + ms) * 1_000_000n);
  const root: SpanSpec = { id: 'root', at: 0, durMs: 600_000, name: 'invoke_agent', attrs: { 'fulcrum.span.type': 'session' } };
  const spans = [root, ...s.spans].map((sp) => ({
    traceId,
    spanId: spanIdOf(s.session, sp.id),
    parentSpanId: sp.parent === undefined ? '' : spanIdOf(s.session, sp.parent),
    name: sp.name ?? sp.id,
    kind: 1,
    startTimeUnixNano: t(sp.at),
    endTimeUnixNano: t(sp.at + (sp.durMs ?? 400)),
    attributes: kv({ 'session.id': s.session, ...sp.attrs }),
    status: sp.error ? { code: 2, message: 'failed' } : { code: 0 },
  }));
  const resource = {
    'service.name': s.harness ?? 'claude-code',
    'fulcrum.harness': s.harness ?? 'claude-code',
    'fulcrum.team': s.team ?? 'payments',
    'fulcrum.repository': s.repository ?? 'acme/api',
    ...(s.user ? { 'user.id': s.user } : {}),
  };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: kv(resource) }, scopeSpans: [{ scope: { name: 'fixture' }, spans }] }] });
}

/** POSTs sessions to a running server's /v1/traces as OTLP/JSON. */
export async function send(url: string, sessions: SessionSpec[], headers: Record<string, string> = {}): Promise<void> {
  for (const s of sessions) {
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: otlpJson(s) });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
}
