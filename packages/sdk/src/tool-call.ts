/** traceToolCall: an `execute_tool {name}` span describing what the tool touched. */
import { type Attributes, type Span, type SpanOptions } from '@opentelemetry/api';
import { FULCRUM, GEN_AI_OPERATION } from '@fulcrum/vocab';
import { snapshotArgs, UNSUPPORTED } from './args-snapshot.js';
import { checkInSession } from './outside-session.js';
import { OWNED_KEYS, parkedToolCall, parkToolCall } from './deferred-tool.js';
import { claimForTool, markCall } from './mcp-nesting.js';
import { callerSetsRedactedKey, markRedacted } from './pre-redacted.js';
import { runStartedSpan, type Outcome } from './run.js';
import { activeContext, getSettings, getTracer } from './state.js';
import { toolCallAttributes, type ToolCallMeta } from './tool-attributes.js';

export { toolCallAttributes, type ToolCallMeta } from './tool-attributes.js';

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

const EAGER_OUTCOME: Outcome = { markSuccess: true };

/** Deferred calls park the outcome for export instead of two setAttribute calls on the caller's path. */
const DEFERRED_OUTCOME: Outcome = {
  markSuccess: true,
  onSuccess: (span) => {
    const p = parkedToolCall(span);
    if (p) p.success = true;
    else span.setAttribute(FULCRUM.SUCCESS, true);
  },
};

function recordDeferredResult(span: Span, result: unknown): string | void {
  const size = resultSize(result);
  if (size !== undefined) {
    const p = parkedToolCall(span);
    if (p) p.resultSize = size;
    else span.setAttribute(FULCRUM.TOOL_RESULT_SIZE, size);
  }
  if (isErrorResult(result)) return 'tool_error';
}

/**
 * Splits the caller's extra attributes: those on keys the wrapper owns would be
 * overwritten at start, so they wait for materialisation as fallbacks; the
 * rest are set at start as before.
 */
function splitAttributes(attributes: Attributes): { start: SpanOptions; owned: Attributes | undefined } {
  let owned: Attributes | undefined;
  let rest: Attributes | undefined;
  for (const key in attributes) {
    if (!OWNED_KEYS.has(key)) continue;
    owned ??= {};
    owned[key] = attributes[key];
    rest ??= { ...attributes };
    delete rest[key];
  }
  return { start: { attributes: rest ?? attributes }, owned };
}

/**
 * Runs fn (the tool) in an `execute_tool {name}` span; returns its result unchanged.
 * Under startTracing the argument work is deferred to export (deferred-tool.ts);
 * the caller only pays for a snapshot of the arguments.
 */
export function traceToolCall<T>(meta: ToolCallMeta, fn: (span: Span) => T): T {
  const settings = getSettings();
  const parent = activeContext();
  // One call, one span: directly inside the MCP span of this very call, that span is the tool call (mcp-nesting.ts).
  const mcpSpan = claimForTool(parent, meta.name, meta.args, meta.id);
  if (mcpSpan !== undefined) return fn(mcpSpan);
  const name = `${GEN_AI_OPERATION.EXECUTE_TOOL} ${meta.name}`;
  checkInSession(parent, name);
  const args = settings.deferToolAttributes === true && meta.args !== undefined ? snapshotArgs(meta.args) : meta.args;
  if (settings.deferToolAttributes !== true || args === UNSUPPORTED) {
    const attributes = toolCallAttributes(meta);
    const span = getTracer().startSpan(name, { attributes }, parent);
    if (!callerSetsRedactedKey(meta.attributes)) markRedacted(span, settings.redactor, attributes);
    // Marked so an MCP request inside knows it is this call; the deferred path's parked call says so itself.
    return runStartedSpan(span, markCall(parent, span, 'tool', meta.name, meta.args), EAGER_OUTCOME, fn, recordToolResult);
  }
  const split = meta.attributes === undefined ? undefined : splitAttributes(meta.attributes);
  const span = getTracer().startSpan(name, split?.start, parent);
  const pending = { meta: { name: meta.name, id: meta.id, args, attributes: split?.owned }, settings, resultSize: undefined, success: undefined };
  parkToolCall(span, pending);
  return runStartedSpan(span, parent, DEFERRED_OUTCOME, fn, recordDeferredResult);
}
