import type { SpanRow } from '@fulcrum/store';
import type { DecodedResourceSpans } from '../otlp/model.js';
import { normaliseSpan, type NormaliseContext } from './span.js';
import { harnessOf } from './harness/harness.js';
import { harnessRows } from './harness/traces.js';

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

/** What a bad id was, without quoting it: the answer may be logged by the client, and the id may be anything. */
const described = (id: string, hexDigits: number) => (id === '' ? 'missing' : /^0+$/.test(id) ? 'all zero' : `${id.length} characters, not ${hexDigits} hex digits`);

/** Why a span cannot be stored, or undefined when it can. */
function invalid(traceId: string, spanId: string, parentSpanId: string): string | undefined {
  if (!TRACE_ID.test(traceId) || traceId === ZERO_TRACE) return `invalid trace id (${described(traceId, 32)})`;
  if (!SPAN_ID.test(spanId) || spanId === ZERO_SPAN) return `invalid span id (${described(spanId, 16)})`;
  if (parentSpanId && !SPAN_ID.test(parentSpanId)) return `invalid parent span id (${described(parentSpanId, 16)})`;
  return undefined;
}

/** Normalises a whole request; spans with invalid ids are rejected one by one (partial success). */
export function normaliseTraces(resourceSpans: DecodedResourceSpans[], ctx: NormaliseContext): NormalisedBatch {
  const out: NormalisedBatch = { rows: [], rejected: 0, reasons: [] };
  const harness = harnessRows(resourceSpans);
  for (const rs of resourceSpans) {
    for (const ss of rs.scopeSpans) {
      const valid = ss.spans.filter((span) => {
        const why = invalid(span.traceId, span.spanId, span.parentSpanId);
        if (why) {
          out.rejected++;
          if (out.reasons.length < 5) out.reasons.push(why);
        }
        return !why;
      });
      // Spans of a known harness (Claude Code, Codex, Gemini CLI) go through its enricher and join its log events.
      if (harnessOf(rs.resource)) harness.add(rs, ss.scope, valid, ctx);
      else for (const span of valid) out.rows.push(normaliseSpan(span, rs.resource, ss.scope, ctx));
    }
  }
  out.rows.push(...harness.rows(ctx));
  return out;
}
