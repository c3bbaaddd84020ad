/**
 * MCP server spans that continue the client's trace: the context a Fulcrum (or
 * any OpenTelemetry MCP) client puts in `params._meta` becomes the parent of a
 * SERVER span around the handler, so both sides share one trace id and the
 * server span's parent is the client span.
 *
 * Counting: when the client's trace arrived, the client span is the one MCP
 * invocation, so the server span is `fulcrum.span.type=other` and the call is
 * not counted twice when both sides export to Fulcrum; without a client trace,
 * the server span is the only record of the call and is typed `mcp`.
 */
import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { FULCRUM, GEN_AI, GEN_AI_OPERATION, MCP } from '@fulcrum/vocab';
import { extractMcpTraceContext, requestMeta } from './mcp-propagation.js';
import { runStartedSpan, type Outcome } from './run.js';
import { activeContext, getTracer } from './state.js';
import { recordToolResult } from './tool-call.js';

/** A request handler's `extra` (RequestHandlerExtra) or the JSON-RPC request itself. */
export interface McpServerRequestLike {
  /** RequestHandlerExtra: the request's `params._meta`. */
  _meta?: unknown;
  /** The request: its `_meta` is in params. */
  params?: unknown;
  /** RequestHandlerExtra: the transport's session id. */
  sessionId?: unknown;
  /** RequestHandlerExtra: the JSON-RPC request id. */
  requestId?: unknown;
}

export interface McpServerCallMeta {
  /** Where the client's trace context is: the handler's `extra`, or the request. Default: none (a new trace). */
  request?: McpServerRequestLike;
  /** mcp.method.name. Default: tools/call. */
  method?: string;
  /** gen_ai.tool.name for tools/call. Default: none. */
  tool?: string;
  /** mcp.resource.uri for resources/read. Default: none. */
  resourceUri?: string;
  /** gen_ai.prompt.name for prompts/get. Default: none. */
  promptName?: string;
  /** fulcrum.mcp.server: this server's name. Default: none. */
  server?: string;
  /** Extra span attributes. Default: none. */
  attributes?: Attributes;
}

const SERVER_OUTCOME: Outcome = { markSuccess: true };

const idText = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * Runs fn (the server's handling of one MCP request) in a `{method} {target}`
 * SERVER span continuing the trace in the request's `_meta`; returns what fn
 * returns. `{ isError: true }` results get error.type=tool_error.
 */
export function continueMcpTrace<T>(meta: McpServerCallMeta, fn: (span: Span) => T): T {
  const method = meta.method ?? 'tools/call';
  const target = meta.tool ?? meta.promptName ?? meta.resourceUri;
  const base = activeContext();
  let parent = base;
  try {
    parent = extractMcpTraceContext(requestMeta(meta.request), base) ?? base;
  } catch {
    // A malformed _meta only costs the link to the client's trace.
  }
  const continued = parent !== base;
  const attributes: Attributes = { ...meta.attributes, [MCP.METHOD_NAME]: method, [FULCRUM.SPAN_TYPE]: continued ? 'other' : 'mcp' };
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined) attributes[key] = value;
  };
  if (method === 'tools/call') attributes[GEN_AI.OPERATION_NAME] = GEN_AI_OPERATION.EXECUTE_TOOL;
  put(GEN_AI.TOOL_NAME, meta.tool);
  put(MCP.RESOURCE_URI, meta.resourceUri);
  put(MCP.PROMPT_NAME, meta.promptName);
  put(FULCRUM.MCP_SERVER, meta.server);
  put(MCP.SESSION_ID, idText(meta.request?.sessionId));
  put(MCP.JSONRPC_REQUEST_ID, idText(meta.request?.requestId));
  const span = getTracer().startSpan(target ? `${method} ${target}` : method, { kind: SpanKind.SERVER, attributes }, parent);
  return runStartedSpan(span, parent, SERVER_OUTCOME, fn, recordToolResult);
}

export interface McpToolHandlerMeta {
  /** gen_ai.tool.name: the name the tool is registered under. */
  tool: string;
  /** fulcrum.mcp.server: this server's name. Default: none. */
  server?: string;
  /** Extra span attributes. Default: none. */
  attributes?: Attributes;
}

/**
 * Wraps an McpServer tool callback (`(args, extra)`, or `(extra)` for a tool
 * without input schema) so each call runs in continueMcpTrace with its `extra`.
 */
export function traceMcpToolHandler<H extends (...args: never[]) => unknown>(meta: McpToolHandlerMeta, handler: H): H {
  const traced = function (this: unknown, ...args: never[]): unknown {
    const extra = args[args.length - 1] as McpServerRequestLike | undefined;
    return continueMcpTrace({ ...meta, method: 'tools/call', request: extra }, () => handler.apply(this, args));
  };
  return traced as H;
}
