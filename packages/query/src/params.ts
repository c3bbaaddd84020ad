import type { BudgetOptions } from './budgets.js';
import { GROUP_DIMENSIONS, type GroupDimension } from './leverage/by-group.js';
import { ACTIVITIES, type Activity, type Weights } from './leverage/weights.js';
import type { QueryScope } from './scope.js';
import { SESSION_ORDERS, SESSION_SORTS, type SessionOrder, type SessionSort } from './sessions.js';

/**
 * A bad query parameter. `param` names it (the API's spelling) and `detail`
 * says what is wrong after the name ("must be ..."), so the CLI can say the same
 * about its flag. `allowed` lists the values a choice accepts, for callers that
 * spell them differently (the CLI's use-case); `cli` is the CLI's own wording
 * when the API's would point at the wrong thing.
 */
export class QueryParamError extends Error {
  /** What is wrong without the value given: an HTTP answer never echoes the request (it may hold a secret pasted by mistake). */
  readonly withoutValue: string;
  constructor(
    readonly param: string,
    readonly detail: string,
    readonly extra: { allowed?: readonly string[]; value?: string; cli?: string; note?: string } = {},
  ) {
    const note = extra.note ? ` ${extra.note}` : '';
    super(extra.value === undefined ? `${param} ${detail}${note}` : `${param} ${detail}, got "${extra.value}"${note}`);
    this.withoutValue = `${param} ${detail}${note}`;
  }
}

/** Parameters as strings, the way a query string or CLI flags give them. Names match the API's query string. */
export interface QueryParams {
  project?: string;
  since?: string;
  until?: string;
  team?: string;
  repository?: string;
  harness?: string;
  useCase?: string;
  user?: string;
  individual?: string | boolean;
  sort?: string;
  /** desc or asc. */
  order?: string;
  limit?: string | number;
  /** Sessions skipped before the page. */
  offset?: string | number;
  by?: string;
  /** A time series' bucket: 1h, 6h, 1d, 1w, or any duration like 30m, 12h, 2d. */
  bucket?: string;
  minRepeat?: string | number;
  worst?: string | number;
  /** $ per session window; 0 turns the session budget off. Overrides the server's (or config file's) budgets.sessionUsd. */
  sessionBudgetUsd?: string | number;
  /** $ per team window per team; 0 = none. Overrides budgets.teamUsd. */
  teamBudgetUsd?: string | number;
  /** $ per team window per repository; 0 = none. Overrides budgets.repositoryUsd. */
  repositoryBudgetUsd?: string | number;
}

/** Leverage weight parameters, one per activity: weight.linesAdded=1.5 (the CLI's --weight linesAdded=1.5). */
export type WeightParams = { [A in Activity as `weight.${A}`]?: string | number };
export interface QueryParams extends WeightParams {}

/** The budget parameters, as the API spells them, and the CLI flag that sets each. */
export const BUDGET_PARAMS = {
  sessionBudgetUsd: { option: 'sessionUsd', flag: 'session-budget' },
  teamBudgetUsd: { option: 'teamUsd', flag: 'team-budget' },
  repositoryBudgetUsd: { option: 'repositoryUsd', flag: 'repository-budget' },
} as const satisfies Record<string, { option: keyof BudgetOptions; flag: string }>;
export type BudgetParam = keyof typeof BUDGET_PARAMS;

/** weight.<activity> for every activity: the API's weight parameters. */
export const WEIGHT_PARAMS = ACTIVITIES.map((a) => `weight.${a}` as const);

export interface ParsedQuery {
  scope: QueryScope;
  sort?: SessionSort;
  order?: SessionOrder;
  limit?: number;
  offset?: number;
  by?: GroupDimension | 'all';
  /** The `bucket` parameter in seconds. */
  bucketSeconds?: number;
  minRepeat?: number;
  worst?: number;
  /** Budgets given as parameters; the rest come from the server's settings. */
  budgets?: Pick<BudgetOptions, 'sessionUsd' | 'teamUsd' | 'repositoryUsd'>;
  /** Weights given as parameters; the rest come from the server's settings. */
  weights?: Partial<Weights>;
}

const RELATIVE = /^(\d+)(m|h|d|w)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?![\d-])/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** An ISO date/time, or a duration before `now` such as 30m, 24h, 7d, 2w. */
export function parseTime(name: string, v: string, now = Date.now()): Date {
  const rel = RELATIVE.exec(v);
  if (rel) return new Date(now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS]);
  const d = new Date(v);
  const ymd = ISO_DATE.exec(v);
  if (!ymd || Number.isNaN(d.getTime())) throw new QueryParamError(name, 'must be an ISO date or a duration like 7d, 24h, 30m', { value: v });
  // Date rolls 2026-02-30 over to March 2: the day must come back as written.
  const [y, m, day] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  const check = new Date(Date.UTC(y, m - 1, day));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) {
    // (A month outside 1-12 is already NaN above.)
    throw new QueryParamError(name, 'must be a real date', { value: v, note: `(${ymd[1]}-${ymd[2]} has ${new Date(Date.UTC(y, m, 0)).getUTCDate()} days)` });
  }
  return d;
}

/** Widest time-series bucket: a year of weeks. */
const MAX_BUCKET_SECONDS = 52 * 604_800;

/** A bucket width such as 1h, 6h, 1d, 1w or 30m, in seconds. */
function bucketSeconds(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const m = RELATIVE.exec(v);
  const seconds = m ? (Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]) / 1000 : NaN;
  if (!(seconds >= 60 && seconds <= MAX_BUCKET_SECONDS)) throw new QueryParamError('bucket', 'must be a duration from 1m to 52w like 1h, 6h, 1d, 1w or 30m', { value: v });
  return seconds;
}

function int(name: string, v: string | number | undefined, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new QueryParamError(name, `must be an integer from ${min} to ${max}`, { value: String(v) });
  return n;
}

/** A non-negative number: a budget in $ or a weight. */
function nonNegative(name: string, v: string | number | undefined, cli?: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new QueryParamError(name, 'must be a non-negative number', { value: String(v), ...(cli ? { cli: `must be a non-negative number, got "${v}"` } : {}) });
  return n;
}

function bool(name: string, v: string | boolean | undefined): boolean {
  if (v === undefined || v === false || v === 'false' || v === '0') return false;
  if (v === true || v === 'true' || v === '1' || v === '') return true;
  throw new QueryParamError(name, 'must be true or false', { value: String(v) });
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined || v === '') return undefined;
  if (!allowed.includes(v as T)) throw new QueryParamError(name, `must be one of ${allowed.join(', ')}`, { allowed, value: v });
  return v as T;
}

/** Validates string parameters into a scope and options. Individual views need individual=true. */
export function parseQueryParams(p: QueryParams, defaultProject = 'default', now = Date.now()): ParsedQuery {
  const individual = bool('individual', p.individual);
  if (p.user && !individual) throw new QueryParamError('user', 'is an individual view: add individual=true', { cli: 'is an individual view: add --individual' });
  const scope: QueryScope = { project: p.project || defaultProject, individual };
  if (p.since) scope.since = parseTime('since', p.since, now);
  if (p.until) scope.until = parseTime('until', p.until, now);
  if (scope.since && scope.until && scope.since >= scope.until) throw new QueryParamError('since', 'must be before until', { cli: 'must be before --until' });
  for (const k of ['team', 'repository', 'harness', 'useCase'] as const) if (p[k]) scope[k] = p[k];
  if (p.user) scope.userId = p.user;
  // The CLI spells the dimension as its filter flag (--use-case); both name it.
  const by = oneOf('by', p.by === 'use-case' ? 'useCase' : p.by, ['all', ...(Object.keys(GROUP_DIMENSIONS) as GroupDimension[])]);
  if (by === 'user' && !individual) throw new QueryParamError('by', 'user is an individual view: add individual=true', { cli: 'user is an individual view: add --individual' });
  const budgets: NonNullable<ParsedQuery['budgets']> = {};
  for (const [param, { option }] of Object.entries(BUDGET_PARAMS) as [BudgetParam, (typeof BUDGET_PARAMS)[BudgetParam]][]) {
    const v = nonNegative(param, p[param]);
    if (v !== undefined) budgets[option] = v;
  }
  const weights: Partial<Weights> = {};
  for (const a of ACTIVITIES) {
    const v = nonNegative(`weight.${a}`, p[`weight.${a}`]);
    if (v !== undefined) weights[a] = v;
  }
  return {
    scope,
    sort: oneOf('sort', p.sort, Object.keys(SESSION_SORTS) as SessionSort[]),
    order: oneOf('order', p.order, Object.keys(SESSION_ORDERS) as SessionOrder[]),
    limit: int('limit', p.limit, 1, 10_000),
    offset: int('offset', p.offset, 0, 1_000_000),
    bucketSeconds: bucketSeconds(p.bucket),
    by,
    minRepeat: int('minRepeat', p.minRepeat, 2, 1000),
    worst: int('worst', p.worst, 0, 1000),
    ...(Object.keys(budgets).length ? { budgets } : {}),
    ...(Object.keys(weights).length ? { weights } : {}),
  };
}
