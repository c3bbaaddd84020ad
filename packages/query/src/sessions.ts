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

export const SESSION_SORTS = { spend: 'SpendUsd DESC', start: 'Start DESC', waste: 'WasteUsd DESC', leverage: 'leverage DESC' } as const;
export type SessionSort = keyof typeof SESSION_SORTS;

export interface ListSessionsOptions {
  /** @default 'start' */
  sort?: SessionSort;
  /** @default 50 */
  limit?: number;
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
  /** Sessions in scope before the limit. */
  total: number;
}

/** Sessions in scope with spend, tokens, calls, failures, leverage and waste, from their materialised summaries. */
export async function listSessions(client: Client, scope: QueryScope, options: ListSessionsOptions = {}): Promise<SessionSummary[]> {
  return (await listSessionPage(client, scope, options)).sessions;
}

/** listSessions with the number of sessions in scope, counted in the same query (a window over the rows the limit cuts). */
export async function listSessionPage(client: Client, scope: QueryScope, options: ListSessionsOptions = {}): Promise<SessionPage> {
  const sort = SESSION_SORTS[options.sort ?? 'start'];
  if (!sort) throw new RangeError(`sort must be one of ${Object.keys(SESSION_SORTS).join(', ')}`);
  const from = summariesIn(scope);
  const sql = `SELECT ${COLUMNS}, count() OVER () AS total FROM ${from.sql} ORDER BY ${sort}, SessionId LIMIT {limit:UInt32}`;
  const rows = await selectRows<Row & { total: number }>(client, sql, { ...from.params, ...weightParams(resolveWeights(options.weights)), limit: options.limit ?? 50 });
  const total = Number(rows[0]?.total ?? 0);
  return { sessions: rows.map(({ total: _t, ...r }) => toSessionSummary(r, scope.individual === true)), total };
}
