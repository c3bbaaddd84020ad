// The over-time figures: GET /api/timeseries, or, on a server without it, bucketed here from the session list.
import type { SessionSummary, Timeseries, TimeseriesPoint, Weights } from './types.js';

const HOUR = 3600;
const DAY = 86_400;

/** The API's default bucket for a range: 1h up to 2 days, 1d up to 90 days, else 1w. */
export function defaultBucketSeconds(fromMs: number, toMs: number): number {
  const days = (toMs - fromMs) / 86_400_000;
  return days <= 2 ? HOUR : days <= 90 ? DAY : 7 * DAY;
}

/** Sessions bucketed by start, the way /api/timeseries?by=all answers: a fallback, not the API's figures. */
export function timeseriesFromSessions(sessions: SessionSummary[], weights: Weights | undefined): Timeseries {
  const starts = sessions.map((s) => Date.parse(s.start)).filter((t) => Number.isFinite(t));
  if (starts.length === 0) return { by: 'all', bucketSeconds: DAY, from: '', to: '', series: [{ key: 'all', points: [] }] };
  const from = Math.min(...starts);
  const to = Math.max(...starts);
  const bucket = defaultBucketSeconds(from, to) * 1000;
  const first = Math.floor(from / bucket) * bucket;
  const n = Math.floor((to - first) / bucket) + 1;
  const acc = Array.from({ length: n }, (_, i) => ({ t: first + i * bucket, sessions: 0, spendUsd: 0, wasteUsd: 0, tokens: 0, activity: 0 }));
  const w = weights ?? { linesAdded: 1, linesRemoved: 1, refactors: 1, skills: 1, mcp: 1 };
  for (const s of sessions) {
    const t = Date.parse(s.start);
    if (!Number.isFinite(t)) continue;
    const b = acc[Math.floor((t - first) / bucket)];
    b.sessions += 1;
    b.spendUsd += s.spendUsd;
    b.wasteUsd += s.wasteUsd;
    b.tokens += s.tokens;
    b.activity += s.linesAdded * w.linesAdded + s.linesRemoved * w.linesRemoved + s.refactors * w.refactors + s.skills * w.skills + s.mcp * w.mcp;
  }
  const points: TimeseriesPoint[] = acc.map((b) => ({
    t: new Date(b.t).toISOString(),
    sessions: b.sessions,
    spendUsd: b.spendUsd,
    wasteUsd: b.wasteUsd,
    tokens: b.tokens,
    leverage: b.spendUsd > 0 ? b.activity / b.spendUsd : null,
    preventedUsd: 0,
  }));
  return { by: 'all', bucketSeconds: bucket / 1000, from: new Date(first).toISOString(), to: new Date(to).toISOString(), series: [{ key: 'all', points }] };
}

/** The x values of a set of series: the union of their bucket starts, in seconds, sorted. */
export function bucketsOf(ts: Timeseries): number[] {
  const set = new Set<number>();
  for (const s of ts.series) for (const p of s.points) set.add(Math.floor(Date.parse(p.t) / 1000));
  return [...set].sort((a, b) => a - b);
}

/** One field of a series at each x (0 where the series has no bucket: nothing started then). */
export function valuesAt(xs: number[], points: TimeseriesPoint[], pick: (p: TimeseriesPoint) => number | null, missing: number | null = 0): (number | null)[] {
  const byT = new Map(points.map((p) => [Math.floor(Date.parse(p.t) / 1000), p]));
  return xs.map((x) => {
    const p = byT.get(x);
    return p ? pick(p) : missing;
  });
}
