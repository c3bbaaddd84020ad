/** traceToolCall: an `execute_tool {name}` span describing what the tool touched. */
import { type Attributes, type Span } from '@opentelemetry/api';
import { argsHash, stableStringify, truncate } from './canonical.js';
import { FULCRUM, GEN_AI, GEN_AI_OPERATION } from './conventions.js';
import { runInSpan } from './run.js';
import { getSettings } from './state.js';
import { describeToolCall } from './tools.js';

export interface ToolCallMeta {
  /** gen_ai.tool.name, e.g. Read, Bash, apply_patch. */
  name: string;
  /** gen_ai.tool.call.id. Default: none. */
  id?: string;
  /** Tool arguments; canonicalised, redacted and truncated into fulcrum.tool.args. Default: none. */
  args?: unknown;
  /** Extra span attributes. Default: none. */
  attributes?: Attributes;
}

/** Attributes describing a tool call before it runs. */
export function toolCallAttributes(meta: ToolCallMeta): Attributes {
  const { redactor, maxArgsLength } = getSettings();
  const attrs: Attributes = {
    ...meta.attributes,
    [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION.EXECUTE_TOOL,
    [GEN_AI.TOOL_NAME]: meta.name,
    [FULCRUM.SPAN_TYPE]: 'tool',
  };
  if (meta.id !== undefined) attrs[GEN_AI.TOOL_CALL_ID] = meta.id;
  if (meta.args !== undefined) {
    const canonical = redactor(stableStringify(meta.args));
    attrs[FULCRUM.TOOL_ARGS] = truncate(canonical, maxArgsLength);
    attrs[FULCRUM.TOOL_ARGS_HASH] = argsHash(canonical);
  }
  const d = describeToolCall(meta.name, meta.args);
  if (d.filePath !== undefined) attrs[FULCRUM.FILE_PATH] = d.filePath;
  if (d.readOffset !== undefined) attrs[FULCRUM.READ_OFFSET] = d.readOffset;
  if (d.readLimit !== undefined) attrs[FULCRUM.READ_LIMIT] = d.readLimit;
  if (d.command !== undefined) attrs[FULCRUM.COMMAND] = truncate(redactor(d.command), maxArgsLength);
  if (d.searchPattern !== undefined) attrs[FULCRUM.SEARCH_PATTERN] = d.searchPattern;
  if (d.linesAdded !== undefined) attrs[FULCRUM.LINES_ADDED] = d.linesAdded;
  if (d.linesRemoved !== undefined) attrs[FULCRUM.LINES_REMOVED] = d.linesRemoved;
  return attrs;
}

/** Size of a tool result in bytes (UTF-8 of strings, JSON of objects); undefined for no result. */
export function resultSize(result: unknown): number | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result === 'string') return Buffer.byteLength(result);
  if (result instanceof Uint8Array) return result.byteLength;
  if (result instanceof ArrayBuffer) return result.byteLength;
  try {
    const json = JSON.stringify(result);
    return json === undefined ? undefined : Buffer.byteLength(json);
  } catch {
    return undefined;
  }
}

/** True for results that report failure in-band: MCP `{ isError: true }`, Claude `{ is_error: true }`. */
export function isErrorResult(result: unknown): boolean {
  if (result === null || typeof result !== 'object') return false;
  const r = result as { isError?: unknown; is_error?: unknown };
  return r.isError === true || r.is_error === true;
}

/** Records the result size and, for in-band failures, error.type=tool_error. */
export function recordToolResult(span: Span, result: unknown): string | void {
  const size = resultSize(result);
  if (size !== undefined) span.setAttribute(FULCRUM.TOOL_RESULT_SIZE, size);
  if (isErrorResult(result)) return 'tool_error';
}

/** Runs fn (the tool) in an `execute_tool {name}` span; returns its result unchanged. */
export function traceToolCall<T>(meta: ToolCallMeta, fn: (span: Span) => T): T {
  const spec = { name: `${GEN_AI_OPERATION.EXECUTE_TOOL} ${meta.name}`, attributes: toolCallAttributes(meta), markSuccess: true, preRedacted: true };
  return runInSpan(spec, fn, recordToolResult);
}
