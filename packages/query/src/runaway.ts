import { scopeWhere, type QueryScope } from './scope.js';
import { selectRows, type Client } from './sql.js';

/** Budgets, not targets: crossing one is a circuit-breaker signal, not a score. */
export interface RunawayOptions {
  /** Window a session's spend and call rate are measured over, in minutes. @default 60 */
  sessionWindowMinutes?: number;
  /** Window a team's spend is measured over, in minutes; a multiple of the session window. @default 1440 (a day) */
  teamWindowMinutes?: number;
  /** A session spending more than this in one window is flagged; 0 turns it off. @default 25 */
  sessionBudgetUsd?: number;
  /** A session making more model and tool calls than this in one window is flagged; 0 turns it off. @default 600 */
  sessionCallBudget?: number;
  /** A team spending more than this in one window is flagged; 0 turns it off. @default 0 */
  teamBudgetUsd?: number;
  /** Flag a window above this multiple of the entity's own trailing median. @default 3 */
  spikeMultiple?: number;
  /** Earlier windows the trailing median is taken over. @default 7 */
  history?: number;
  /** Fewest earlier windows before a spike can be judged. @default 3 */
  minHistory?: number;
}

export const RUNAWAY_DEFAULTS: Required<RunawayOptions> = {
  sessionWindowMinutes: 60, teamWindowMinutes: 1440, sessionBudgetUsd: 25, sessionCallBudget: 600,
  teamBudgetUsd: 0, spikeMultiple: 3, history: 7, minHistory: 3,
};

export type RunawayReason = 'spend_budget' | 'call_budget' | 'spend_spike' | 'call_spike';

export interface RunawaySignal {
  level: 'session' | 'team';
  /** Session id or team name. */
  entity: string;
  team: string;
  windowStart: string;
  windowMinutes: number;
  spendUsd: number;
  calls: number;
  trailingMedianSpendUsd: number | null;
  trailingMedianCalls: number | null;
  reasons: RunawayReason[];
}

/** Windows where a session or team crossed its budget or spiked above its own trailing median. One pass over the spans. */
export async function findRunaways(client: Client, scope: QueryScope, options: RunawayOptions = {}): Promise<RunawaySignal[]> {
  const o = { ...RUNAWAY_DEFAULTS, ...options };
  if (o.teamWindowMinutes % o.sessionWindowMinutes !== 0) throw new RangeError('teamWindowMinutes must be a multiple of sessionWindowMinutes');
  const where = scopeWhere(scope);
  const sql = `SELECT level, entity, team, toUnixTimestamp(windowStart) * 1000 AS windowStartMs, spendUsd, calls,
  if(history > 0, medSpend, NULL) AS trailingMedianSpendUsd, if(history > 0, medCalls, NULL) AS trailingMedianCalls,
  arrayFilter(x -> x != '', [
    if(budget > 0 AND spendUsd > budget, 'spend_budget', ''),
    if(level = 'session' AND {callBudget:UInt32} > 0 AND calls > {callBudget:UInt32}, 'call_budget', ''),
    if(history >= {minHistory:UInt32} AND spendUsd > {multiple:Float64} * medSpend, 'spend_spike', ''),
    if(history >= {minHistory:UInt32} AND calls > {multiple:Float64} * medCalls, 'call_spike', '')]) AS reasons
FROM (
  SELECT *, if(level = 'session', {sessionBudget:Float64}, {teamBudget:Float64}) AS budget,
    quantileExact(0.5)(spendUsd) OVER w AS medSpend, quantileExact(0.5)(calls) OVER w AS medCalls, count() OVER w AS history
  FROM (
    SELECT e.1 AS level, e.2 AS entity, any(Team) AS team,
      if(level = 'session', Bucket, toStartOfInterval(Bucket, toIntervalMinute({teamWindow:UInt32}))) AS windowStart,
      sum(Spend) AS spendUsd, sum(Calls) AS calls
    FROM (
      SELECT SessionId, Team, toStartOfInterval(Timestamp, toIntervalMinute({sessionWindow:UInt32})) AS Bucket,
        sum(CostUsd) AS Spend, countIf(SpanType IN ('llm', 'tool', 'mcp')) AS Calls
      FROM spans FINAL WHERE ${where.sql} GROUP BY SessionId, Team, Bucket
    )
    ARRAY JOIN [('session', SessionId), ('team', Team)] AS e
    GROUP BY level, entity, windowStart
  )
  WINDOW w AS (PARTITION BY level, entity ORDER BY windowStart ROWS BETWEEN {history:UInt32} PRECEDING AND 1 PRECEDING)
)
WHERE length(reasons) > 0
ORDER BY spendUsd DESC, level, entity`;
  const params = {
    ...where.params, sessionWindow: o.sessionWindowMinutes, teamWindow: o.teamWindowMinutes, sessionBudget: o.sessionBudgetUsd,
    teamBudget: o.teamBudgetUsd, callBudget: o.sessionCallBudget, multiple: o.spikeMultiple, history: o.history, minHistory: o.minHistory,
  };
  const rows = await selectRows<Omit<RunawaySignal, 'windowStart' | 'windowMinutes'> & { windowStartMs: number }>(client, sql, params);
  return rows.map(({ windowStartMs, ...r }) => ({
    ...r,
    windowStart: new Date(Number(windowStartMs)).toISOString(),
    windowMinutes: r.level === 'session' ? o.sessionWindowMinutes : o.teamWindowMinutes,
  }));
}
