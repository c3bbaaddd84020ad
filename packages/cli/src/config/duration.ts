/** Milliseconds per duration unit accepted in the config file. */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/** The longest delay a Node.js timer takes (2^31 - 1 ms, about 24.8 days). */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * A duration such as "500ms", "30s", "2m", "1h", or a number of milliseconds,
 * as whole milliseconds. Returns the reason as a string when it is not one.
 */
export function parseDuration(value: unknown): number | string {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string') {
    const m = DURATION.exec(value.trim());
    if (m) ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    else if (/^\d+(?:\.\d+)?$/.test(value.trim())) ms = Number(value);
    else return 'must be a duration like 500ms, 30s, 2m, 1h or a number of milliseconds';
  } else {
    return 'must be a duration like 500ms, 30s, 2m, 1h or a number of milliseconds';
  }
  if (!Number.isFinite(ms) || ms < 0) return 'must be a non-negative duration';
  if (ms > MAX_DELAY_MS) return `must be at most ${formatDuration(MAX_DELAY_MS - (MAX_DELAY_MS % 3_600_000))}`;
  return Math.round(ms);
}

/** The shortest exact spelling of a number of milliseconds: 1h, 2m, 30s or 1500ms. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
