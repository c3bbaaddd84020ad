import type { SpanRow } from '@fulcrum/store';
import type { DecodedResourceSpans, DecodedScope, DecodedSpan } from '../../otlp/model.js';
import type { NormaliseContext } from '../span.js';
import { JoinCache, type PendingRow } from './join.js';
import { harnessSpanRows, traceSessionsOf } from './spans.js';

/** Collects a request's harness spans, then joins and redacts them in one go. */
export function harnessRows(resourceSpans: DecodedResourceSpans[]) {
  let traceSessions: Map<string, string> | undefined;
  const pending: PendingRow[] = [];
  return {
    add(rs: DecodedResourceSpans, scope: DecodedScope, spans: DecodedSpan[], ctx: NormaliseContext): void {
      traceSessions ??= traceSessionsOf(resourceSpans);
      pending.push(...harnessSpanRows(rs, spans, scope, ctx, traceSessions));
    },
    rows(ctx: NormaliseContext): SpanRow[] {
      if (pending.length === 0) return [];
      const rows = (ctx.join ?? new JoinCache()).resolve(pending);
      return rows;
    },
  };
}
