/**
 * One call, one span. A harness that wraps its MCP tool use in traceToolCall
 * and also uses instrumentMcpClient (or traceMcpCall) would otherwise record
 * each call twice: two `execute_tool` spans, one of them also counted as an
 * MCP invocation. So the outer span is the call, whichever wrapper made it;
 * the inner wrapper opens no span of its own and adds what it knows to it:
 *
 * - MCP inside a tool call: the tool span gets `mcp.method.name`,
 *   `fulcrum.mcp.server`, `mcp.session.id` and `fulcrum.span.type=mcp`, and its
 *   context is what the request carries to the server;
 * - a tool call inside an MCP span: the MCP span gets `gen_ai.tool.call.id`.
 *
 * The outer span is found through the context: the active span must be the
 * wrapper's own (directly nested), unclaimed (the first inner call only), and
 * about the same call: the same tool name (`mcp__calc__add` and `add` match:
 * equal, or one ends with the other after a separator) or the same arguments.
 * A tool of your own that makes several MCP calls therefore keeps its span and
 * each MCP call gets one.
 */
import { createContextKey, trace, type Context, type Span } from '@opentelemetry/api';
import { FULCRUM, GEN_AI, stableStringify } from '@fulcrum/vocab';
import { parkedToolCall } from './deferred-tool.js';

export type CallKind = 'tool' | 'mcp';

interface OpenCall {
  span: Span;
  kind: CallKind;
  name: string | undefined;
  args: unknown;
  claimed: boolean;
}

const OPEN_CALL = createContextKey('fulcrum.open-call');

/** parent with span marked as the call it runs: pass the result as runStartedSpan's parent. */
export function markCall(parent: Context, span: Span, kind: CallKind, name: string | undefined, args: unknown): Context {
  const call: OpenCall = { span, kind, name, args, claimed: false };
  return parent.setValue(OPEN_CALL, call);
}

/** Claims found by span, for traceToolCall spans made without markCall (parked by the deferred path). */
const claimedSpans = new WeakSet<object>();

function openCall(ctx: Context): OpenCall | undefined {
  const span = trace.getSpan(ctx);
  if (span === undefined) return undefined;
  const marked = ctx.getValue(OPEN_CALL) as OpenCall | undefined;
  if (marked !== undefined && marked.span === span) return marked;
  // traceToolCall under startTracing parks its call on the span: a tool call as well.
  const parked = parkedToolCall(span);
  if (parked === undefined || claimedSpans.has(span)) return undefined;
  return { span, kind: 'tool', name: parked.meta.name, args: parked.meta.args, claimed: false };
}

const SEPARATOR = /[_.:/-]$/;

function sameName(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.endsWith(short) && SEPARATOR.test(long.slice(0, long.length - short.length));
}

function sameArgs(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  try {
    return stableStringify(a) === stableStringify(b);
  } catch {
    return false;
  }
}

function claim(ctx: Context, kinds: readonly CallKind[], name: string | undefined, args: unknown): OpenCall | undefined {
  const call = openCall(ctx);
  if (call === undefined || call.claimed || !kinds.includes(call.kind)) return undefined;
  if (!sameName(call.name, name) && !sameArgs(call.args, args)) return undefined;
  call.claimed = true;
  claimedSpans.add(call.span);
  return call;
}

/**
 * For an MCP wrapper: the span of the tool (or MCP) call this request already
 * is, now marked as an MCP invocation; undefined when the request needs a span of its own.
 */
export function claimForMcp(ctx: Context, name: string | undefined, args: unknown, mcpAttributes: () => Record<string, string | undefined>): Span | undefined {
  const call = claim(ctx, ['tool', 'mcp'], name, args);
  if (call === undefined) return undefined;
  if (call.kind === 'tool') {
    for (const [key, value] of Object.entries(mcpAttributes())) if (value !== undefined) call.span.setAttribute(key, value);
    call.span.setAttribute(FULCRUM.SPAN_TYPE, 'mcp');
  }
  return call.span;
}

/**
 * For traceToolCall: the MCP span this tool call already is (its call id
 * added); undefined when the tool call needs a span of its own.
 */
export function claimForTool(ctx: Context, name: string, args: unknown, id: string | undefined): Span | undefined {
  const call = claim(ctx, ['mcp'], name, args);
  if (call === undefined) return undefined;
  if (id !== undefined) call.span.setAttribute(GEN_AI.TOOL_CALL_ID, id);
  return call.span;
}
