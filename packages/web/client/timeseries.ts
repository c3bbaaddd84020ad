// The over-time figures of GET /api/timeseries, laid out for the charts.
import type { Timeseries, TimeseriesPoint } from './types.js';

/**
 * The x values of a chart: every bucket from the answer's `from` to its `to`, in
 * seconds. The API returns only buckets in which sessions started; the empty ones
 * are shown as such (0), not bridged by a line.
 */
export function bucketsOf(ts: Timeseries): number[] {
  const from = Math.floor(Date.parse(ts.from) / 1000);
  const to = Math.floor(Date.parse(ts.to) / 1000);
  const xs: number[] = [];
  for (let x = from; x < to; x += ts.bucketSeconds) xs.push(x);
  return xs;
}

/** One field of a series at each x (0 where the series has no bucket: nothing started then). */
export function valuesAt(xs: number[], points: TimeseriesPoint[], pick: (p: TimeseriesPoint) => number | null, missing: number | null = 0): (number | null)[] {
  const byT = new Map(points.map((p) => [Math.floor(Date.parse(p.t) / 1000), p]));
  return xs.map((x) => {
    const p = byT.get(x);
    return p ? pick(p) : missing;
  });
}
