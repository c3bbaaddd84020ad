/**
 * MCP client spans: traceMcpCall for any call, instrumentMcpClient for an
 * @modelcontextprotocol/sdk Client. The client's requests carry the span's
 * trace context in `params._meta` (mcp-propagation.ts), so a server traced
 * with continueMcpTrace continues the same trace. Inside traceToolCall for the
 * same call, no second span is made (mcp-nesting.ts).
 */
import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { argsHash, FULCRUM, GEN_AI, GEN_AI_OPERATION, MCP, stableStringify, truncate } from '@fulcrum/vocab';
import { claimForMcp, markCall } from './mcp-nesting.js';
import { withMcpTraceContext } from './mcp-propagation.js';
import { checkInSession } from './outside-session.js';
import { callerSetsRedactedKey, markRedacted } from './pre-redacted.js';
import { runStartedSpan, type Outcome } from './run.js';
import { activeContext, getSettings, getTracer } from './state.js';
import { recordToolResult } from './tool-call.js';

export interface McpCallMeta {
  /** fulcrum.mcp.server: the server's name. Default: none. */
  server?: string;
  /** gen_ai.tool.name for tools/call. Default: none. */
  tool?: string;
  /** mcp.method.name. Default: tools/call. */
  method?: string;
  /** mcp.resource.uri for resources/read. Default: none. */
  resourceUri?: string;
  /** gen_ai.prompt.name for prompts/get. Default: none. */
  promptName?: string;
  /** Call arguments, recorded like tool arguments (redacted, truncated, hashed). Default: none. */
  args?: unknown;
  /** gen_ai.tool.call.id. Default: none. */
  id?: string;
  /** mcp.session.id. Default: none. */
  sessionId?: string;
  /** Extra span attributes. Default: none. */
  attributes?: Attributes;
}

/** The attributes naming the MCP request: what an enclosing tool span gets when it is that request. */
function requestAttributes(meta: McpCallMeta, method: string): Record<string, string | undefined> {
  return {
    [MCP.METHOD_NAME]: method,
    [FULCRUM.MCP_SERVER]: meta.server,
    [MCP.SESSION_ID]: meta.sessionId,
    [MCP.RESOURCE_URI]: meta.resourceUri,
    [MCP.PROMPT_NAME]: meta.promptName,
  };
}

function mcpAttributes(meta: McpCallMeta, method: string): Attributes {
  const attrs: Attributes = { ...meta.attributes, [FULCRUM.SPAN_TYPE]: 'mcp' };
  for (const [key, value] of Object.entries(requestAttributes(meta, method))) if (value !== undefined) attrs[key] = value;
  if (method === 'tools/call') attrs[GEN_AI.OPERATION_NAME] = GEN_AI_OPERATION.EXECUTE_TOOL;
  if (meta.tool !== undefined) attrs[GEN_AI.TOOL_NAME] = meta.tool;
  if (meta.id !== undefined) attrs[GEN_AI.TOOL_CALL_ID] = meta.id;
  if (meta.args !== undefined) {
    const { redactor, maxArgsLength } = getSettings();
    const canonical = redactor(stableStringify(meta.args));
    attrs[FULCRUM.TOOL_ARGS] = truncate(canonical, maxArgsLength);
    attrs[FULCRUM.TOOL_ARGS_HASH] = argsHash(canonical);
  }
  return attrs;
}

const MCP_OUTCOME: Outcome = { markSuccess: true };

/**
 * Runs fn (an MCP request) in a `{method} {target}` client span;
 * `{ isError: true }` results get error.type=tool_error. Directly inside
 * traceToolCall (or traceMcpCall) for the same call, fn runs in that span instead.
 */
export function traceMcpCall<T>(meta: McpCallMeta, fn: (span: Span) => T): T {
  const method = meta.method ?? 'tools/call';
  const target = meta.tool ?? meta.promptName ?? meta.resourceUri;
  const parent = activeContext();
  const outer = claimForMcp(parent, target, meta.args, () => requestAttributes(meta, method));
  if (outer !== undefined) return fn(outer);
  const name = target ? `${method} ${target}` : method;
  checkInSession(parent, name);
  const attributes = mcpAttributes(meta, method);
  const span = getTracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  if (!callerSetsRedactedKey(meta.attributes)) markRedacted(span, getSettings().redactor, attributes);
  return runStartedSpan(span, markCall(parent, span, 'mcp', target, meta.args), MCP_OUTCOME, fn, recordToolResult);
}

/** The parts of an @modelcontextprotocol/sdk Client that are instrumented. */
export interface McpClientLike {
  callTool(params: { name: string; arguments?: Record<string, unknown> }, ...rest: never[]): Promise<unknown>;
  readResource(params: { uri: string }, ...rest: never[]): Promise<unknown>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }, ...rest: never[]): Promise<unknown>;
  getServerVersion?(): { name?: string } | undefined;
  transport?: { sessionId?: string };
}

export interface InstrumentMcpClientOptions {
  /** fulcrum.mcp.server. Default: the name the server reported at initialisation. */
  serverName?: string;
  /** Send the span's trace context (and session id) to the server in `params._meta`. Default: true. */
  propagate?: boolean;
}

const INSTRUMENTED = Symbol.for('fulcrum.mcp.instrumented');

/**
 * Wraps callTool, readResource and getPrompt of the client in MCP spans whose
 * trace context each request carries in `params._meta`; returns the same client.
 */
export function instrumentMcpClient<C extends McpClientLike>(client: C, options: InstrumentMcpClientOptions = {}): C {
  const c = client as C & { [INSTRUMENTED]?: boolean };
  if (c[INSTRUMENTED]) return client;
  c[INSTRUMENTED] = true;
  const propagate = options.propagate !== false;
  const base = (): McpCallMeta => ({
    server: options.serverName ?? client.getServerVersion?.()?.name,
    sessionId: client.transport?.sessionId,
  });
  type Fn = (params: never, ...rest: never[]) => Promise<unknown>;
  const wrap = (method: 'callTool' | 'readResource' | 'getPrompt', mcpMethod: string, meta: (p: never) => McpCallMeta): void => {
    const original = (client[method] as Fn).bind(client);
    (client as Record<string, unknown>)[method] = (params: never, ...rest: never[]) =>
      // Inside the span, so `_meta` names it (or the tool span it joined) as the server's parent.
      traceMcpCall({ ...base(), ...meta(params), method: mcpMethod }, () => original(propagate ? withMcpTraceContext(params) : params, ...rest));
  };
  type P = { name?: string; uri?: string; arguments?: unknown } | undefined;
  wrap('callTool', 'tools/call', (p: P) => ({ tool: p?.name, args: p?.arguments ?? {} }));
  wrap('readResource', 'resources/read', (p: P) => ({ resourceUri: p?.uri }));
  wrap('getPrompt', 'prompts/get', (p: P) => ({ promptName: p?.name, args: p?.arguments }));
  return client;
}
