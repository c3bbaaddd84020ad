import type { SpanRow } from '@fulcrum/store';
import type { DecodedResourceSpans, DecodedScope, DecodedSpan } from '../../otlp/model.js';
import { normaliseSpan, type NormaliseContext } from '../span.js';
import { claudeCodeSpan } from './claude-code-spans.js';
import { codexSpan } from './codex-spans.js';
import { geminiSpan } from './gemini-spans.js';
import { harnessOf, sessionOf, type HarnessName } from './harness.js';
import type { PendingRow } from './join.js';

/**
 * The spans of one harness resource → pending rows (to be joined with the
 * harness's log events). Rows get the harness's own session id; a Codex span
 * without one takes the session of its trace (from a sibling span in the same
 * request), and one whose trace names no session at all is harness plumbing
 * (startup, storage) and is not stored.
 */
export function harnessSpanRows(rs: DecodedResourceSpans, spans: DecodedSpan[], scope: DecodedScope, ctx: NormaliseContext, traceSessions: Map<string, string>): PendingRow[] {
  const harness = harnessOf(rs.resource)!;
  const out: PendingRow[] = [];
  for (const span of spans) {
    const session = sessionOf(span.attributes, rs.resource) || traceSessions.get(span.traceId) || '';
    if (!session) continue;
    const row = normaliseSpan(span, rs.resource, scope, { project: ctx.project });
    row.SessionId = session;
    row.Harness = harness;
    out.push(...enrich(harness, row, span, ctx));
  }
  return out;
}

function enrich(harness: HarnessName, row: SpanRow, span: DecodedSpan, ctx: NormaliseContext): PendingRow[] {
  if (harness === 'claude-code') return claudeCodeSpan(row, span, ctx.prices);
  if (harness === 'codex') return codexSpan(row, span);
  return geminiSpan(row, span);
}

/** trace id → session id, from every span of the request that names its session. */
export function traceSessionsOf(resourceSpans: DecodedResourceSpans[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const rs of resourceSpans) {
    for (const ss of rs.scopeSpans) for (const s of ss.spans) {
      const session = sessionOf(s.attributes, rs.resource);
      if (session && !m.has(s.traceId)) m.set(s.traceId, session);
    }
  }
  return m;
}
