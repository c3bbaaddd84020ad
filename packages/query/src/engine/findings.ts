import type { Finding } from '../waste/options.js';
import type { Verdict } from './classify.js';
import type { SessionSpan } from './span.js';

/** A session's verdicts grouped into findings (by finding id), most expensive first; as findingsSql groups stored verdicts. */
export function findingsOf(spans: readonly SessionSpan[], verdicts: readonly Verdict[]): Finding[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const groups = new Map<string, Finding & { atMs: number }>();
  for (const v of verdicts) {
    const sp = byId.get(v.spanId)!;
    let f = groups.get(v.findingId);
    if (!f) {
      f = { sessionId: sp.sessionId, kind: v.kind, anchorSpanIds: v.anchorSpanIds, wasteSpanIds: [], tokens: 0, costUsd: 0, estimated: false, evidence: v.evidence, toolName: sp.toolName, filePath: sp.filePath, command: sp.command, at: new Date(sp.startMs).toISOString(), atMs: sp.startMs };
      groups.set(v.findingId, f);
    }
    f.wasteSpanIds.push(v.spanId);
    f.tokens += v.tokens;
    f.costUsd += v.costUsd;
    f.estimated ||= v.estimated;
  }
  return [...groups.values()].sort((a, b) => b.costUsd - a.costUsd || a.atMs - b.atMs).map(({ atMs: _, ...f }) => f);
}
