/**
 * Tool-call attributes computed when the span is exported, not when the tool
 * is called. traceToolCall parks what it needs on the span (name, id, a
 * snapshot of the arguments, the settings in force); materialiseToolCall, run
 * by prepareSpanForExport before redaction, writes exactly the attributes
 * toolCallAttributes would have set at start. No exporter ever sees the span
 * before that, and nothing unredacted is parked anywhere but the span object.
 */
import { diag, type AttributeValue } from '@opentelemetry/api';
import { FULCRUM, GEN_AI } from '@fulcrum/vocab';
import type { RedactedValues } from './pre-redacted.js';
import type { WrapperSettings } from './state.js';
import { emitToolAttributes, type ToolCallMeta } from './tool-attributes.js';

/** meta.args is the snapshot; meta.attributes only the caller's values for keys the wrapper owns. */
export interface PendingToolCall {
  meta: ToolCallMeta;
  settings: WrapperSettings;
  /** Set when the call ends: written last, over any value, as setAttribute at the end did. */
  resultSize: number | undefined;
  success: true | undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** On the span itself: a WeakMap lookup per span costs more than a property. */
const PENDING = Symbol('fulcrum.pendingToolCall');
type Parked = { [PENDING]?: PendingToolCall };

/** Every key toolCallAttributes may write: a caller's own value for one of them must not be set at start. */
export const OWNED_KEYS: ReadonlySet<string> = new Set([
  GEN_AI.OPERATION_NAME,
  GEN_AI.TOOL_NAME,
  FULCRUM.SPAN_TYPE,
  GEN_AI.TOOL_CALL_ID,
  FULCRUM.TOOL_ARGS,
  FULCRUM.TOOL_ARGS_HASH,
  FULCRUM.TOOL_KIND,
  FULCRUM.FILE_PATH,
  FULCRUM.READ_OFFSET,
  FULCRUM.READ_LIMIT,
  FULCRUM.COMMAND,
  FULCRUM.SEARCH_PATTERN,
  FULCRUM.LINES_ADDED,
  FULCRUM.LINES_REMOVED,
]);

export function parkToolCall(span: object, pending: PendingToolCall): void {
  (span as Parked)[PENDING] = pending;
}

/** The parked call of a span still to be materialised. */
export function parkedToolCall(span: object): PendingToolCall | undefined {
  return (span as Parked)[PENDING];
}

/** The parts of an SDK span that setAttribute uses to apply limits, which an ended span no longer accepts. */
interface SdkSpanInternals {
  attributes: Record<string, AttributeValue>;
  _spanLimits?: { attributeCountLimit?: number };
  _truncateToSize?: (v: AttributeValue) => AttributeValue;
  _droppedAttributesCount?: number;
}

/**
 * Writes the parked tool attributes onto an ended span, once, with the result
 * `{ ...meta.attributes, ...wrapper attributes }` had at start: a key already
 * on the span was set by the tool itself during the call, after the start
 * attributes, so it wins as it always did; a caller's value for an owned key
 * counts only where the wrapper has none. Returns the values the wrapper
 * redacted itself, so the redaction pass can skip them.
 */
export function materialiseToolCall(span: object): RedactedValues | undefined {
  const p = (span as Parked)[PENDING];
  if (p === undefined) return undefined;
  (span as Parked)[PENDING] = undefined; // not delete: keeps the span's shape
  const target = span as SdkSpanInternals;
  const attributes = target.attributes;
  if (attributes === undefined) return undefined;
  // As setAttribute would: count limit (counted once, not per key), then value length.
  const limit = target._spanLimits?.attributeCountLimit;
  let count = limit === undefined ? 0 : Object.keys(attributes).length;
  const truncateToSize = typeof target._truncateToSize === 'function' ? target._truncateToSize : undefined;
  const trusted: Record<string, unknown> = {};
  let emitting = true; // only values the wrapper made itself are trusted as redacted
  const put = (key: string, value: AttributeValue, overwrite = false): void => {
    const present = hasOwn.call(attributes, key);
    if (present && !overwrite) return;
    if (!present && limit !== undefined && count >= limit) {
      target._droppedAttributesCount = (target._droppedAttributesCount ?? 0) + 1;
      return;
    }
    const v = truncateToSize === undefined ? value : truncateToSize.call(target, value);
    attributes[key] = v;
    if (!present) count++;
    if (emitting && (key === FULCRUM.TOOL_ARGS || key === FULCRUM.COMMAND)) trusted[key] = v;
  };
  try {
    emitToolAttributes(p.meta, p.settings, put);
  } catch (err) {
    // emitToolAttributes guards the arguments itself; this is for the span's own internals failing, and only costs the attributes.
    diag.warn('fulcrum: tool call attributes failed', err);
  }
  emitting = false;
  const fallback = p.meta.attributes;
  for (const key in fallback) if (fallback[key] !== undefined) put(key, fallback[key] as AttributeValue);
  if (p.resultSize !== undefined) put(FULCRUM.TOOL_RESULT_SIZE, p.resultSize, true);
  if (p.success) put(FULCRUM.SUCCESS, true, true);
  return { redactor: p.settings.redactor, values: trusted };
}
