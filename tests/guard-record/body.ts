import { FULCRUM, GUARD_SPAN_NAME } from '@fulcrum/vocab';
import { hex, loop, otlpJson, T0, type SessionSpec } from '../query/fixtures.js';

/**
 * OTLP/JSON as `fulcrum guard` sends it (the contract in docs/conventions.md):
 * one `fulcrum.guard` span per intervention, start = end = the decision,
 * resource service.name=fulcrum-guard with the harness and the team.
 */
export interface GuardSpanSpec {
  /** Milliseconds after T0. */
  at: number;
  policy: string;
  decision: string;
  mode: string;
  tool: string;
  toolCallId: string;
  wasteKind?: string;
  /** Sent as a double, or as text when a string (to send what no guard should). */
  savedUsd: number | string;
  reason: string;
  /** Left out to show ingest types the span 'other' whatever it says. @default true */
  declareOther?: boolean;
}

type Value = { stringValue: string } | { doubleValue: number } | { intValue: string };
const kv = (o: Record<string, string | number>) => Object.entries(o).map(([key, v]): { key: string; value: Value } => ({
  key, value: typeof v === 'string' ? { stringValue: v } : { doubleValue: v },
}));

/** The guard's resourceSpans entry for a session. */
export function guardResourceSpans(session: string, spans: GuardSpanSpec[], team = 'payments') {
  const traceId = hex(`guard/${session}`, 32);
  return {
    resource: { attributes: kv({ 'service.name': 'fulcrum-guard', [FULCRUM.HARNESS]: 'claude-code', [FULCRUM.TEAM]: team, [FULCRUM.REPOSITORY]: 'acme/api' }) },
    scopeSpans: [{
      scope: { name: 'fulcrum-guard', version: '0.1.0' },
      spans: spans.map((g, i) => {
        const t = String(BigInt(T0 + g.at) * 1_000_000n);
        return {
          traceId, spanId: hex(`guard/${session}/${i}`, 16), name: GUARD_SPAN_NAME, kind: 1, startTimeUnixNano: t, endTimeUnixNano: t,
          attributes: kv({
            'session.id': session,
            ...(g.declareOther === false ? {} : { [FULCRUM.SPAN_TYPE]: 'other' }),
            'gen_ai.tool.name': g.tool, 'gen_ai.tool.call.id': g.toolCallId,
            [FULCRUM.GUARD_POLICY]: g.policy, [FULCRUM.GUARD_DECISION]: g.decision, [FULCRUM.GUARD_MODE]: g.mode,
            [FULCRUM.GUARD_WASTE_KIND]: g.wasteKind ?? '', [FULCRUM.GUARD_ANCHOR_CALL_IDS]: 'toolu_1,toolu_2',
            [FULCRUM.GUARD_SAVED_USD]: g.savedUsd, [FULCRUM.GUARD_REASON]: g.reason,
          }),
          status: {},
        };
      }),
    }],
  };
}

/** The harness's own spans for a session: a model call and a tool call three times over, an identical-call loop (waste $1). */
export const harnessSession = (session: string, team = 'payments'): SessionSpec => ({
  session, team, spans: loop([1, 2, 3].map(() => ({ tool: 'WebFetch', hash: 'h' })), 0.5),
});

/** One OTLP/JSON body: the harness's spans and the guard's for the same session.id. */
export function mixedBody(session: string, guard: GuardSpanSpec[]): string {
  const harness = JSON.parse(otlpJson(harnessSession(session))) as { resourceSpans: unknown[] };
  harness.resourceSpans.push(guardResourceSpans(session, guard));
  return JSON.stringify(harness);
}
