import { createHash } from 'node:crypto';
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
  /** Give up on a send after this long; the interventions stay in the outbox, tried again a minute later. @default 500 */
  timeoutMs?: number;
}

/** What makes an intervention itself: the session, the moment, the policy, the call and the decision. */
export const interventionKey = (i: Intervention) => [i.harness, i.sessionId, i.timeMs, i.policy, i.toolCallId, i.decision].join('\u0000');
const idOf = (i: Intervention, kind: string, hexDigits: number) => createHash('sha256').update(`${kind}\u0000${interventionKey(i)}`).digest('hex').slice(0, hexDigits);

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
            // Ids follow from the intervention, so a batch sent again (its answer lost) is stored once.
            traceId: idOf(i, 'trace', 32),
            spanId: idOf(i, 'span', 16),
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
      signal: AbortSignal.timeout(target.timeoutMs ?? 500),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok;
  } catch {
    return false;
  }
}
