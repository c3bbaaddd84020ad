import { GROUP_DIMENSIONS, type GroupDimension } from './leverage/by-group.js';
import { resolveWeights, weightParams, type WeightOverrides } from './leverage/weights.js';
import { QueryParamError } from './params.js';
import { toChTime, type QueryScope } from './scope.js';
import { selectRows, type Client } from './sql.js';
import { summariesIn, WEIGHTED_ACTIVITY_SQL } from './summaries.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Buckets are aligned to this instant, a Monday at 00:00 UTC, so weekly buckets start on Mondays (hours and days align as usual). */
export const BUCKET_ORIGIN_MS = Date.UTC(1970, 0, 5);

export interface TimeseriesOptions {
  /** Dimension each series is a value of; 'all' gives one series keyed "all". `user` needs the scope's individual opt-in. @default 'all' */
  by?: GroupDimension | 'all';
  /** Bucket width in seconds. @default defaultBucketSeconds(range): 1h up to 2 days, 1d up to 90 days, else 1w */
  bucketSeconds?: number;
  /** Leverage weight overrides, by number or by rating. @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
  /** End of a range that has a since but no until, in ms since the epoch. @default Date.now() */
  now?: number;
  /** Most buckets the range may span: more is refused, since the client draws (and fills) each one. @default 5000 */
  maxBuckets?: number;
}

/** One bucket of one series: the sessions that started in it. */
export interface TimeseriesPoint {
  /** Start of the bucket, ISO 8601. */
  t: string;
  sessions: number;
  spendUsd: number;
  /** Waste on known evidence. */
  wasteUsd: number;
  tokens: number;
  /** Σ(activity × weight) / Σ spend over the bucket's sessions; null when nothing was spent. */
  leverage: number | null;
  /** The guard's estimate of what the calls it prevented would have cost: never in spend or waste. */
  preventedUsd: number;
}

export interface TimeseriesSeries {
  /** The group's value ('' for sessions without one), or "all". */
  key: string;
  /** Non-empty buckets only, oldest first. */
  points: TimeseriesPoint[];
}

export interface Timeseries {
  by: GroupDimension | 'all';
  bucketSeconds: number;
  /** Start of the range's first bucket, ISO 8601: buckets start at from + k × bucketSeconds. */
  from: string;
  /** End of the range's last bucket (exclusive), ISO 8601. Equal to from when the scope holds no session and gives no since. */
  to: string;
  /** Highest total spend first, then by key. */
  series: TimeseriesSeries[];
}

/** 1h when the range is at most 2 days, 1d when at most 90 days, else 1w. */
export function defaultBucketSeconds(rangeMs: number): number {
  if (rangeMs <= 2 * DAY * 1000) return HOUR;
  if (rangeMs <= 90 * DAY * 1000) return DAY;
  return WEEK;
}

/** Start of the bucket holding `ms`. */
export function bucketStartMs(ms: number, bucketSeconds: number): number {
  const width = bucketSeconds * 1000;
  return BUCKET_ORIGIN_MS + Math.floor((ms - BUCKET_ORIGIN_MS) / width) * width;
}

/** The scope's range in ms: since/until when given, else the first and last session start in scope (end exclusive). */
async function rangeOf(client: Client, scope: QueryScope, now: number): Promise<{ startMs: number; endMs: number } | undefined> {
  const endGiven = scope.until?.getTime();
  if (scope.since) return { startMs: scope.since.getTime(), endMs: endGiven ?? now };
  const from = summariesIn(scope);
  const sql = `SELECT count() AS sessions, toUnixTimestamp64Milli(min(Start)) AS firstMs, toUnixTimestamp64Milli(max(Start)) AS lastMs
FROM ${from.sql}`;
  const [row] = await selectRows<{ sessions: number; firstMs: number; lastMs: number }>(client, sql, from.params);
  if (!row || Number(row.sessions) === 0) return undefined;
  return { startMs: Number(row.firstMs), endMs: endGiven ?? Number(row.lastMs) + 1 };
}

type Row = Omit<TimeseriesPoint, 't'> & { key: string; bucketStart: number };

/**
 * Sessions, spend, waste, tokens, leverage and prevented $ per time bucket,
 * one series per group, from the materialised session summaries. A session
 * counts whole in the bucket it started in. Only buckets with sessions are
 * returned: the client fills the gaps from `from`, `to` and `bucketSeconds`.
 * Throws QueryParamError('bucket') when the range spans more than maxBuckets.
 */
export async function spendTimeseries(client: Client, scope: QueryScope, options: TimeseriesOptions = {}): Promise<Timeseries> {
  const by = options.by ?? 'all';
  if (by === 'user' && !scope.individual) throw new RangeError('grouping by user is an individual view: opt in with individual=true');
  if (by !== 'all' && !GROUP_DIMENSIONS[by]) throw new RangeError(`by must be one of all, ${Object.keys(GROUP_DIMENSIONS).join(', ')}`);
  if (options.bucketSeconds !== undefined && !(Number.isInteger(options.bucketSeconds) && options.bucketSeconds > 0)) {
    throw new RangeError(`bucketSeconds must be a positive integer, got ${options.bucketSeconds}`);
  }
  const now = options.now ?? Date.now();
  const range = await rangeOf(client, scope, now);
  if (!range) {
    const at = new Date(scope.until?.getTime() ?? now).toISOString();
    return { by, bucketSeconds: options.bucketSeconds ?? HOUR, from: at, to: at, series: [] };
  }
  const bucketSeconds = options.bucketSeconds ?? defaultBucketSeconds(range.endMs - range.startMs);
  const fromMs = bucketStartMs(range.startMs, bucketSeconds);
  // The bucket holding the range's last instant ends the range.
  const toMs = bucketStartMs(Math.max(range.endMs - 1, range.startMs), bucketSeconds) + bucketSeconds * 1000;
  const buckets = (toMs - fromMs) / (bucketSeconds * 1000);
  const maxBuckets = options.maxBuckets ?? 5000;
  if (buckets > maxBuckets) throw new QueryParamError('bucket', `gives ${buckets} buckets over the range, more than ${maxBuckets}: choose a wider bucket or a shorter range`);

  const key = by === 'all' ? "'all'" : GROUP_DIMENSIONS[by];
  const from = summariesIn(scope);
  const sql = `SELECT ${key} AS key,
  toUnixTimestamp(toStartOfInterval(Start, toIntervalSecond({bucketSeconds:UInt32}), {origin:DateTime64(9)}, 'UTC')) AS bucketStart,
  count() AS sessions, sum(SpendUsd) AS spendUsd, sum(WasteUsd) AS wasteUsd, sum(Tokens) AS tokens,
  if(spendUsd > 0, sum(${WEIGHTED_ACTIVITY_SQL}) / spendUsd, NULL) AS leverage, sum(PreventedUsd) AS preventedUsd,
  sum(spendUsd) OVER (PARTITION BY key) AS keySpendUsd
FROM ${from.sql}
GROUP BY key, bucketStart
ORDER BY keySpendUsd DESC, key, bucketStart`;
  const params = { ...from.params, ...weightParams(resolveWeights(options.weights)), bucketSeconds, origin: toChTime(new Date(BUCKET_ORIGIN_MS)) };
  const rows = await selectRows<Row & { keySpendUsd: number }>(client, sql, params);

  const series: TimeseriesSeries[] = [];
  for (const r of rows) {
    const point: TimeseriesPoint = {
      t: new Date(Number(r.bucketStart) * 1000).toISOString(),
      sessions: Number(r.sessions),
      spendUsd: Number(r.spendUsd),
      wasteUsd: Number(r.wasteUsd),
      tokens: Number(r.tokens),
      leverage: r.leverage === null ? null : Number(r.leverage),
      preventedUsd: Number(r.preventedUsd),
    };
    const last = series[series.length - 1];
    if (last?.key === r.key) last.points.push(point);
    else series.push({ key: r.key, points: [point] });
  }
  return { by, bucketSeconds, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), series };
}
