import { resolveWeights, weightParams, type WeightOverrides } from './leverage/weights.js';
import type { QueryScope } from './scope.js';
import { selectRows, type Client } from './sql.js';
import { summariesIn, WEIGHTED_ACTIVITY_SQL } from './summaries.js';

/** One session in a list. Times are ISO 8601; userId only when the scope opts into individual views. */
export interface SessionSummary {
  sessionId: string;
  start: string;
  end: string;
  team: string;
  repository: string;
  harness: string;
  useCase: string;
  userId?: string;
  spendUsd: number;
  /** Model calls to models the price table does not know: their cost is not in spendUsd. */
  unpricedCalls: number;
  tokens: number;
  modelCalls: number;
  toolCalls: number;
  failures: number;
  linesAdded: number;
  linesRemoved: number;
  refactors: number;
  skills: number;
  mcp: number;
  leverage: number | null;
  /** Waste on known evidence. */
  wasteUsd: number;
  wasteTokens: number;
  /** Waste on partial evidence only (sizes and outcomes): not in wasteUsd. */
  partialWasteUsd: number;
  /** Tool calls whose arguments the harness did not send. */
  unverifiableCalls: number;
  /** Where the line counts came from: 'spans', 'metrics' (the harness's own counter) or ''. */
  linesSource: string;
  commits: number;
  pullRequests: number;
}

/** What sessions can be sorted by: the expression each sorts on (the direction is SESSION_ORDERS'). */
export const SESSION_SORTS = { spend: 'SpendUsd', start: 'Start', waste: 'WasteUsd', leverage: 'leverage', tokens: 'Tokens' } as const;
export type SessionSort = keyof typeof SESSION_SORTS;

/** Sort directions. Ties are broken by SessionId ascending either way, so pages are stable; sessions without leverage come last either way. */
export const SESSION_ORDERS = { desc: 'DESC', asc: 'ASC' } as const;
export type SessionOrder = keyof typeof SESSION_ORDERS;

export interface ListSessionsOptions {
  /** @default 'start' */
  sort?: SessionSort;
  /** @default 'desc' */
  order?: SessionOrder;
  /** @default 50 */
  limit?: number;
  /** Sessions skipped before the page, in sort order. @default 0 */
  offset?: number;
  /** Leverage weight overrides, by number or by rating. @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
}

const COLUMNS = `SessionId AS sessionId, toUnixTimestamp64Milli(Start) AS startMs, toUnixTimestamp64Milli(End) AS endMs,
  Team AS team, Repository AS repository, Harness AS harness, UseCase AS useCase, UserId AS userId,
  SpendUsd AS spendUsd, UnpricedCalls AS unpricedCalls, Tokens AS tokens, ModelCalls AS modelCalls, ToolCalls AS toolCalls, Failures AS failures,
  LinesAdded AS linesAdded, LinesRemoved AS linesRemoved, Refactors AS refactors, Skills AS skills, Mcp AS mcp,
  if(SpendUsd > 0, ${WEIGHTED_ACTIVITY_SQL} / SpendUsd, NULL) AS leverage, WasteUsd AS wasteUsd, WasteTokens AS wasteTokens,
  PartialWasteUsd AS partialWasteUsd, UnverifiableCalls AS unverifiableCalls, LinesSource AS linesSource, Commits AS commits, PullRequests AS pullRequests`;

type Row = Omit<SessionSummary, 'start' | 'end'> & { startMs: number; endMs: number };

export function toSessionSummary(r: Row, individual: boolean): SessionSummary {
  const { startMs, endMs, userId, ...rest } = r;
  return { ...rest, start: new Date(Number(startMs)).toISOString(), end: new Date(Number(endMs)).toISOString(), ...(individual ? { userId } : {}) };
}

/** One page of sessions and how many are in scope in all. */
export interface SessionPage {
  sessions: SessionSummary[];
  /** Sessions in scope before the limit and offset. */
  total: number;
}

/** Sessions in scope with spend, tokens, calls, failures, leverage and waste, from their materialised summaries. */
export async function listSessions(client: Client, scope: QueryScope, options: ListSessionsOptions = {}): Promise<SessionSummary[]> {
  return (await listSessionPage(client, scope, options)).sessions;
}

/**
 * listSessions with the number of sessions in scope, counted in the same query
 * (a window over the rows the limit cuts). A page past the end has no row to
 * carry that count, so it is counted apart.
 */
export async function listSessionPage(client: Client, scope: QueryScope, options: ListSessionsOptions = {}): Promise<SessionPage> {
  const sort = SESSION_SORTS[options.sort ?? 'start'];
  if (!sort) throw new RangeError(`sort must be one of ${Object.keys(SESSION_SORTS).join(', ')}`);
  const order = SESSION_ORDERS[options.order ?? 'desc'];
  if (!order) throw new RangeError(`order must be one of ${Object.keys(SESSION_ORDERS).join(', ')}`);
  const offset = options.offset ?? 0;
  const from = summariesIn(scope);
  const sql = `SELECT ${COLUMNS}, count() OVER () AS total
FROM ${from.sql}
ORDER BY ${sort} ${order}, SessionId
LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;
  const rows = await selectRows<Row & { total: number }>(client, sql, { ...from.params, ...weightParams(resolveWeights(options.weights)), limit: options.limit ?? 50, offset });
  const total = rows.length > 0 || offset === 0 ? Number(rows[0]?.total ?? 0) : await countSessions(client, scope);
  return { sessions: rows.map(({ total: _t, ...r }) => toSessionSummary(r, scope.individual === true)), total };
}

/** Sessions in scope. */
async function countSessions(client: Client, scope: QueryScope): Promise<number> {
  const from = summariesIn(scope);
  const [row] = await selectRows<{ total: number }>(client, `SELECT count() AS total FROM ${from.sql}`, from.params);
  return Number(row?.total ?? 0);
}
