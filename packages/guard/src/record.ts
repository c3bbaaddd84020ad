import { randomBytes } from 'node:crypto';
import { FULCRUM, GEN_AI, GENERAL, GUARD_SPAN_NAME } from '@fulcrum/vocab';
import type { Intervention } from './intervention.js';

type AnyValue = { stringValue: string } | { doubleValue: number };
const attr = (key: string, value: string | number) => ({ key, value: (typeof value === 'number' ? { doubleValue: value } : { stringValue: value }) satisfies AnyValue });

export interface RecordTarget {
  /** The Fulcrum server's base URL (OTLP/HTTP receiver); spans go to <url>/v1/traces. */
  url: string;
  /** Headers of every request, e.g. authorization. @default {} */
  headers?: Record<string, string>;
  /** Resource attributes added to the guard's (fulcrum.team, fulcrum.repository...). @default {} */
  resource?: Record<string, string>;
  /** Give up on a send after this long; the interventions stay in the outbox for the next hook. @default 1000 */
  timeoutMs?: number;
}

/** Interventions as one OTLP/JSON trace request: a `fulcrum.guard` span each, in the session they belong to. */
export function interventionsRequest(items: readonly Intervention[], resource: Record<string, string> = {}): unknown {
  const byHarness = new Map<string, Intervention[]>();
  for (const i of items) byHarness.set(i.harness, [...(byHarness.get(i.harness) ?? []), i]);
  return {
    resourceSpans: [...byHarness].map(([harness, list]) => ({
      resource: { attributes: [attr(GENERAL.SERVICE_NAME, 'fulcrum-guard'), attr(FULCRUM.HARNESS, harness), ...Object.entries(resource).map(([k, v]) => attr(k, v))] },
      scopeSpans: [{
        scope: { name: '@fulcrum/guard' },
        spans: list.map((i) => {
          const ns = (BigInt(Math.round(i.timeMs)) * 1_000_000n).toString();
          return {
            traceId: randomBytes(16).toString('hex'),
            spanId: randomBytes(8).toString('hex'),
            name: GUARD_SPAN_NAME,
            kind: 1,
            startTimeUnixNano: ns,
            endTimeUnixNano: ns,
            attributes: [
              attr(GENERAL.SESSION_ID, i.sessionId),
              attr(FULCRUM.SPAN_TYPE, 'other'),
              attr(GEN_AI.TOOL_NAME, i.toolName),
              attr(GEN_AI.TOOL_CALL_ID, i.toolCallId),
              attr(FULCRUM.GUARD_POLICY, i.policy),
              attr(FULCRUM.GUARD_DECISION, i.decision),
              attr(FULCRUM.GUARD_MODE, i.mode),
              attr(FULCRUM.GUARD_WASTE_KIND, i.wasteKind),
              attr(FULCRUM.GUARD_ANCHOR_CALL_IDS, i.anchorCallIds.join(',')),
              attr(FULCRUM.GUARD_SAVED_USD, i.savedUsd),
              attr(FULCRUM.GUARD_REASON, i.reason),
            ],
          };
        }),
      }],
    })),
  };
}

/** Sends interventions to Fulcrum; true when the server accepted them (2xx). Never throws. */
export async function sendInterventions(items: readonly Intervention[], target: RecordTarget): Promise<boolean> {
  if (items.length === 0) return true;
  try {
    const res = await fetch(`${target.url.replace(/\/+$/, '')}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: JSON.stringify(interventionsRequest(items, target.resource)),
      signal: AbortSignal.timeout(target.timeoutMs ?? 1000),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok;
  } catch {
    return false;
  }
}
