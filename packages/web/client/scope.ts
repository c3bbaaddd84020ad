// The filters every page shares, read from the page URL and passed on to the API as they are.
import type { Location } from './router.js';

export const SCOPE_PARAMS = ['since', 'until', 'team', 'repository', 'harness', 'useCase'] as const;

/** The time ranges the picker offers; 'all' is no `since` at all. */
export const TIME_RANGES = [
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
  { value: 'all', label: 'All time' },
] as const;

export function scopeOf(loc: Location): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k of SCOPE_PARAMS) out[k] = loc.params.get(k) ?? undefined;
  return out;
}

/** The time range alone, carried by the navigation links from page to page. */
export function timeQuery(loc: Location): string {
  const q = new URLSearchParams();
  for (const k of ['since', 'until'] as const) {
    const v = loc.params.get(k);
    if (v) q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
