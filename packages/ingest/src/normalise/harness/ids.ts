import { createHash } from 'node:crypto';

function hex(parts: string[], chars: number): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, chars);
}

/**
 * Deterministic ids for rows that did not come with their own span: a log
 * event, a transcript entry, or a harness span whose call another signal also
 * reports. The same call always gets the same id, whichever signal carries it,
 * so ReplacingMergeTree collapses re-sends, re-imports and the log/trace pair.
 */
export function derivedSpanId(sessionId: string, kind: string, key: string): string {
  return hex(['span', sessionId, kind, key], 16);
}

/** Trace id for a session's rows when the signal carries no trace context (default-privacy logs, transcripts). */
export function derivedTraceId(sessionId: string): string {
  return hex(['trace', sessionId], 32);
}
