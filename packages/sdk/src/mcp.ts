/** MCP spans: traceMcpCall for any call, instrumentMcpClient for an @modelcontextprotocol/sdk Client. */
import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { argsHash, FULCRUM, GEN_AI, GEN_AI_OPERATION, MCP, stableStringify, truncate } from '@fulcrum/vocab';
import { callerSetsRedactedKey } from './pre-redacted.js';
import { runInSpan } from './run.js';
import { getSettings } from './state.js';
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

function mcpAttributes(meta: McpCallMeta, method: string): Attributes {
  const attrs: Attributes = { ...meta.attributes, [MCP.METHOD_NAME]: method, [FULCRUM.SPAN_TYPE]: 'mcp' };
  if (method === 'tools/call') attrs[GEN_AI.OPERATION_NAME] = GEN_AI_OPERATION.EXECUTE_TOOL;
  const put = (k: string, v: string | undefined): void => {
    if (v !== undefined) attrs[k] = v;
  };
  put(GEN_AI.TOOL_NAME, meta.tool);
  put(FULCRUM.MCP_SERVER, meta.server);
  put(MCP.RESOURCE_URI, meta.resourceUri);
  put(MCP.PROMPT_NAME, meta.promptName);
  put(GEN_AI.TOOL_CALL_ID, meta.id);
  put(MCP.SESSION_ID, meta.sessionId);
  if (meta.args !== undefined) {
    const { redactor, maxArgsLength } = getSettings();
    const canonical = redactor(stableStringify(meta.args));
    attrs[FULCRUM.TOOL_ARGS] = truncate(canonical, maxArgsLength);
    attrs[FULCRUM.TOOL_ARGS_HASH] = argsHash(canonical);
  }
  return attrs;
}

/** Runs fn (an MCP request) in a `{method} {target}` client span; `{ isError: true }` results get error.type=tool_error. */
export function traceMcpCall<T>(meta: McpCallMeta, fn: (span: Span) => T): T {
  const method = meta.method ?? 'tools/call';
  const target = meta.tool ?? meta.promptName ?? meta.resourceUri;
  const name = target ? `${method} ${target}` : method;
  const preRedacted = !callerSetsRedactedKey(meta.attributes);
  return runInSpan({ name, kind: SpanKind.CLIENT, attributes: mcpAttributes(meta, method), markSuccess: true, preRedacted }, fn, recordToolResult);
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
}

const INSTRUMENTED = Symbol.for('fulcrum.mcp.instrumented');

/** Wraps callTool, readResource and getPrompt of the client in MCP spans; returns the same client. */
export function instrumentMcpClient<C extends McpClientLike>(client: C, options: InstrumentMcpClientOptions = {}): C {
  const c = client as C & { [INSTRUMENTED]?: boolean };
  if (c[INSTRUMENTED]) return client;
  c[INSTRUMENTED] = true;
  const base = (): McpCallMeta => ({
    server: options.serverName ?? client.getServerVersion?.()?.name,
    sessionId: client.transport?.sessionId,
  });
  type Fn = (params: never, ...rest: never[]) => Promise<unknown>;
  const wrap = (method: 'callTool' | 'readResource' | 'getPrompt', mcpMethod: string, meta: (p: never) => McpCallMeta): void => {
    const original = (client[method] as Fn).bind(client);
    (client as Record<string, unknown>)[method] = (params: never, ...rest: never[]) =>
      traceMcpCall({ ...base(), ...meta(params), method: mcpMethod }, () => original(params, ...rest));
  };
  type P = { name?: string; uri?: string; arguments?: unknown } | undefined;
  wrap('callTool', 'tools/call', (p: P) => ({ tool: p?.name, args: p?.arguments ?? {} }));
  wrap('readResource', 'resources/read', (p: P) => ({ resourceUri: p?.uri }));
  wrap('getPrompt', 'prompts/get', (p: P) => ({ promptName: p?.name, args: p?.arguments }));
  return client;
}
