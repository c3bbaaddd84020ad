/**
 * Trace context in MCP requests, as the MCP semantic conventions (and MCP
 * SEP-414) carry it: W3C `traceparent`, `tracestate` and `baggage` keys in the
 * request's `params._meta`. Fulcrum's session id travels as the baggage entry
 * `gen_ai.conversation.id`, so a traced server's spans join the client's session.
 * The propagators are used directly on a plain carrier, never through the
 * global propagation API, so this works whether or not anyone registered one.
 */
import { propagation, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { GEN_AI } from '@fulcrum/vocab';
import { warnOnce } from './log.js';
import { getSessionId } from './session-context.js';
import { activeContext } from './state.js';

type Carrier = Record<string, unknown>;

const traceContext = new W3CTraceContextPropagator();
const baggage = new W3CBaggagePropagator();

const setter: TextMapSetter<Carrier> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/** The `_meta` entries that carry ctx's span (and session) to an MCP server; empty without a valid span. */
export function mcpTraceMeta(ctx: Context = activeContext()): Record<string, string> {
  const carrier: Carrier = {};
  traceContext.inject(ctx, carrier, setter);
  if (carrier.traceparent === undefined) return {};
  const sessionId = getSessionId(ctx);
  const bag = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  const withSession = sessionId !== undefined && bag.getEntry(GEN_AI.CONVERSATION_ID) === undefined ? bag.setEntry(GEN_AI.CONVERSATION_ID, { value: sessionId }) : bag;
  baggage.inject(propagation.setBaggage(ctx, withSession), carrier, setter);
  return carrier as Record<string, string>;
}

/**
 * A copy of an MCP request's params with the trace context in `_meta` (the
 * caller's own `_meta` keys kept); params that are not an object come back as they are.
 */
export function withMcpTraceContext<P>(params: P, ctx: Context = activeContext()): P {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return params;
  try {
    const entries = mcpTraceMeta(ctx);
    if (entries.traceparent === undefined) return params;
    const own = (params as { _meta?: unknown })._meta;
    const meta = own !== null && typeof own === 'object' && !Array.isArray(own) ? { ...(own as Carrier), ...entries } : entries;
    return { ...params, _meta: meta };
  } catch (err) {
    // The request goes out untraced rather than not at all.
    warnOnce('mcp-propagation', `MCP trace context not sent: ${err instanceof Error ? err.message : String(err)}`);
    return params;
  }
}

/** What a request handler gets: the SDK's `extra` (with `_meta`) or the request itself (with `params._meta`). */
export type McpRequestLike = { _meta?: unknown; params?: unknown } | undefined;

/** The `_meta` of an MCP request or of a handler's `extra`. */
export function requestMeta(request: McpRequestLike): Carrier | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  const meta = request._meta ?? (request.params as { _meta?: unknown } | null | undefined)?._meta;
  return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Carrier) : undefined;
}

/** base continued from the client's trace in `_meta`; undefined when `_meta` holds no valid traceparent. */
export function extractMcpTraceContext(meta: Carrier | undefined, base: Context = activeContext()): Context | undefined {
  if (meta === undefined || typeof meta.traceparent !== 'string') return undefined;
  const ctx = traceContext.extract(base, meta, getter);
  const remote = trace.getSpanContext(ctx);
  if (remote === undefined || remote === trace.getSpanContext(base) || !remote.isRemote) return undefined;
  return baggage.extract(ctx, meta, getter);
}
