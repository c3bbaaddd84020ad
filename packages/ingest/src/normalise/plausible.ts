import type { SessionMetricRow, SpanRow } from '@fulcrum/store';

const DAY_MS = 86_400_000;
/**
 * Tables partition by month and an INSERT may touch at most 100 partitions
 * (max_partitions_per_insert_block in store.ts). A window of 6 years is 73
 * months, leaving room for a spooled batch replayed years later; a wider one
 * would let one request's rows fail a whole coalesced batch.
 */
export const MAX_WINDOW_MS = 6 * 365 * DAY_MS;

export interface TimestampWindow {
  /** Oldest start accepted, in milliseconds before now. @default 63072000000 (730 days) */
  pastMs?: number;
  /** Latest start accepted, in milliseconds after now (client clocks run ahead). @default 86400000 (1 day) */
  futureMs?: number;
}

export interface PlausibleOptions {
  /** Rows (span starts, log records, metric points) outside this window are rejected one by one. @default { pastMs: 730 days, futureMs: 1 day } */
  timestampWindow?: TimestampWindow;
  /** The clock the window is measured from, in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Highest cost one call may carry, declared or priced, in USD. @default 1000 */
  maxCostUsdPerCall?: number;
  /** Highest count in any one token column (input, output, cache read, cache write) of one call. @default 100000000 */
  maxTokensPerCall?: number;
  /** Largest absolute value of a metric data point (counters of lines, tokens, dollars...). @default 1000000000000 */
  maxMetricValue?: number;
}

export interface Plausibility {
  /** [oldest, latest] accepted timestamps, in nanoseconds, for this request. */
  window(): [bigint, bigint];
  maxCostUsdPerCall: number;
  maxTokensPerCall: number;
  maxMetricValue: number;
}

/** Checked options; throws on a window wider than an INSERT can take. */
export function resolvePlausible(options: PlausibleOptions = {}): Plausibility {
  const pastMs = options.timestampWindow?.pastMs ?? 730 * DAY_MS;
  const futureMs = options.timestampWindow?.futureMs ?? DAY_MS;
  if (!(pastMs >= 0 && futureMs >= 0 && pastMs + futureMs <= MAX_WINDOW_MS)) {
    throw new Error(`timestampWindow must be non-negative and span at most ${MAX_WINDOW_MS / DAY_MS} days (one INSERT may touch 100 monthly partitions), got pastMs=${pastMs} futureMs=${futureMs}`);
  }
  const now = options.now ?? Date.now;
  const bound = (name: string, v: number) => {
    if (!(v > 0)) throw new Error(`${name} must be positive, got ${v}`);
    return v;
  };
  return {
    window: () => {
      const t = Math.round(now());
      return [BigInt(t - pastMs) * 1_000_000n, BigInt(t + futureMs) * 1_000_000n];
    },
    maxCostUsdPerCall: bound('maxCostUsdPerCall', options.maxCostUsdPerCall ?? 1000),
    maxTokensPerCall: bound('maxTokensPerCall', options.maxTokensPerCall ?? 100_000_000),
    maxMetricValue: bound('maxMetricValue', options.maxMetricValue ?? 1e12),
  };
}

const INT = /^-?\d+$/;

function inWindow(ns: string, [lo, hi]: [bigint, bigint]): boolean {
  if (!INT.test(ns)) return false;
  const t = BigInt(ns);
  return t >= lo && t <= hi;
}

/** A timestamp for a message: ISO when a Date can show it, else the digits (never client text). */
function showNanos(ns: string): string {
  if (!INT.test(ns)) return 'invalid';
  const ms = BigInt(ns) / 1_000_000n;
  return ms >= -8_640_000_000_000_000n && ms <= 8_640_000_000_000_000n ? new Date(Number(ms)).toISOString() : `${ns.slice(0, 24)}ns`;
}

function showWindow(w: [bigint, bigint]): string {
  return `${showNanos(w[0].toString())} .. ${showNanos(w[1].toString())}`;
}

/** Why a span row cannot be stored, or undefined when it can. Events outside the window are moved to the row's start. */
function implausibleSpan(row: SpanRow, w: [bigint, bigint], p: Plausibility): string | undefined {
  if (!inWindow(row.Timestamp, w)) return `timestamp ${showNanos(row.Timestamp)} outside the accepted window ${showWindow(w)}`;
  if (!(row.CostUsd <= p.maxCostUsdPerCall)) return `cost ${row.CostUsd} USD exceeds ${p.maxCostUsdPerCall} USD per call`;
  for (const t of [row.InputTokens, row.OutputTokens, row.CacheReadTokens, row.CacheWriteTokens]) {
    if (!(t <= p.maxTokensPerCall)) return `token count ${t} exceeds ${p.maxTokensPerCall} per call`;
  }
  // A guard's estimate beyond what one call may cost is no estimate: the intervention is kept, its saving is not.
  if (!(row.GuardSavedUsd <= p.maxCostUsdPerCall)) row.GuardSavedUsd = 0;
  for (const e of row.Events) {
    // An event cannot move its row to another partition; one with an impossible time keeps its place in the span.
    if (!inWindow(e.Timestamp, w)) [e.Timestamp, row.Truncated] = [row.Timestamp, true];
  }
  return undefined;
}

export interface Rejections {
  rejected: number;
  /** Why, for partial_success.error_message (the first few). */
  reasons: string[];
}

const MAX_REASONS = 5;

/**
 * Keeps the span rows whose values are plausible: started inside the window,
 * costing and counting tokens within bounds. The others are dropped one by
 * one and counted, for the response's partial_success, so one request with a
 * broken clock or a corrupt counter cannot scatter rows over hundreds of
 * partitions or turn a project's spend into infinity.
 */
export function keepPlausibleRows(rows: SpanRow[], p: Plausibility, out: Rejections): SpanRow[] {
  const w = p.window();
  return rows.filter((row) => {
    const why = implausibleSpan(row, w, p);
    if (why) {
      out.rejected++;
      if (out.reasons.length < MAX_REASONS) out.reasons.push(why);
    }
    return why === undefined;
  });
}

/** The same for metric data points: inside the window, values within bounds. */
export function keepPlausibleMetrics(rows: SessionMetricRow[], p: Plausibility, out: Rejections): SessionMetricRow[] {
  const w = p.window();
  return rows.filter((row) => {
    const why = !inWindow(row.Time, w) ? `data point time ${showNanos(row.Time)} outside the accepted window ${showWindow(w)}`
      : !(Math.abs(row.Value) <= p.maxMetricValue) ? `data point value ${row.Value} exceeds ${p.maxMetricValue}`
      : undefined;
    if (why) {
      out.rejected++;
      if (out.reasons.length < MAX_REASONS) out.reasons.push(why);
    }
    return why === undefined;
  });
}
