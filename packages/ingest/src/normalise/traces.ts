import type { SpanRow } from '@fulcrum/store';
import type { DecodedResourceSpans } from '../otlp/model.js';
import { normaliseSpan, type NormaliseContext } from './span.js';

export interface NormalisedBatch {
  rows: SpanRow[];
  rejected: number;
  /** Why spans were rejected, for partial_success.error_message. */
  reasons: string[];
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Why a span cannot be stored, or undefined when it can. */
function invalid(traceId: string, spanId: string, parentSpanId: string): string | undefined {
  if (!TRACE_ID.test(traceId) || traceId === ZERO_TRACE) return `invalid trace id "${traceId.slice(0, 40)}"`;
  if (!SPAN_ID.test(spanId) || spanId === ZERO_SPAN) return `invalid span id "${spanId.slice(0, 20)}"`;
  if (parentSpanId && !SPAN_ID.test(parentSpanId)) return `invalid parent span id "${parentSpanId.slice(0, 20)}"`;
  return undefined;
}

/** Normalises a whole request; spans with invalid ids are rejected one by one (partial success). */
export function normaliseTraces(resourceSpans: DecodedResourceSpans[], ctx: NormaliseContext): NormalisedBatch {
  const out: NormalisedBatch = { rows: [], rejected: 0, reasons: [] };
  for (const rs of resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const why = invalid(span.traceId, span.spanId, span.parentSpanId);
        if (why) {
          out.rejected++;
          if (out.reasons.length < 5) out.reasons.push(why);
          continue;
        }
        out.rows.push(normaliseSpan(span, rs.resource, ss.scope, ctx));
      }
    }
  }
  return out;
}
