import { RUNAWAY_DEFAULTS, type RunawayOptions, type RunawayReason } from './engine/summarise.js';
import type { QueryScope } from './scope.js';
import { selectRows, type Client } from './sql.js';
import { summariesIn } from './summaries.js';

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

type Row = Omit<RunawaySignal, 'windowStart' | 'windowMinutes' | 'reasons'> & { windowStartMs: number; reasons: string[] | string };

/**
 * Windows where a session or team crossed its budget or spiked above its own
 * trailing median. Session windows were judged by the engine (stored with
 * each summary); team windows are the sum of their sessions' windows, judged
 * here, since a team's history spans many sessions.
 */
export async function findRunaways(client: Client, scope: QueryScope, options: RunawayOptions = {}): Promise<RunawaySignal[]> {
  const o = { ...RUNAWAY_DEFAULTS, ...options };
  if (o.teamWindowMinutes % o.sessionWindowMinutes !== 0) throw new RangeError('teamWindowMinutes must be a multiple of sessionWindowMinutes');
  const runawayRows = summariesIn(scope, { arrayJoin: 'Runaways' });
  const windowRows = summariesIn(scope, { arrayJoin: 'Windows' });
  const sessions = await selectRows<Row>(
    client,
    `SELECT 'session' AS level, SessionId AS entity, Team AS team, toUnixTimestamp64Milli(Runaways.Start) AS windowStartMs,
  Runaways.SpendUsd AS spendUsd, Runaways.Calls AS calls,
  if(Runaways.History > 0, Runaways.MedianSpendUsd, NULL) AS trailingMedianSpendUsd, if(Runaways.History > 0, Runaways.MedianCalls, NULL) AS trailingMedianCalls,
  Runaways.Reasons AS reasons
FROM ${runawayRows.sql}`,
    runawayRows.params,
  );
  const teams = await selectRows<Row>(
    client,
    `SELECT 'team' AS level, team AS entity, team, toUnixTimestamp(windowStart) * 1000 AS windowStartMs, spendUsd, calls,
  if(history > 0, medSpend, NULL) AS trailingMedianSpendUsd, if(history > 0, medCalls, NULL) AS trailingMedianCalls,
  arrayFilter(x -> x != '', [
    if({teamBudget:Float64} > 0 AND spendUsd > {teamBudget:Float64}, 'spend_budget', ''),
    if(history >= {minHistory:UInt32} AND spendUsd > {multiple:Float64} * medSpend, 'spend_spike', ''),
    if(history >= {minHistory:UInt32} AND calls > {multiple:Float64} * medCalls, 'call_spike', '')]) AS reasons
FROM (
  SELECT *, quantileExact(0.5)(spendUsd) OVER w AS medSpend, quantileExact(0.5)(calls) OVER w AS medCalls, count() OVER w AS history
  FROM (
    SELECT Team AS team, toStartOfInterval(Windows.Start, toIntervalMinute({teamWindow:UInt32})) AS windowStart,
      sum(Windows.SpendUsd) AS spendUsd, sum(Windows.Calls) AS calls
    FROM ${windowRows.sql}
    GROUP BY team, windowStart
  )
  WINDOW w AS (PARTITION BY team ORDER BY windowStart ROWS BETWEEN {history:UInt32} PRECEDING AND 1 PRECEDING)
)
WHERE length(reasons) > 0`,
    { ...windowRows.params, teamWindow: o.teamWindowMinutes, teamBudget: o.teamBudgetUsd, multiple: o.spikeMultiple, history: o.history, minHistory: o.minHistory },
  );
  return [...sessions, ...teams]
    .map(({ windowStartMs, reasons, ...r }) => ({
      ...r,
      spendUsd: Number(r.spendUsd),
      calls: Number(r.calls),
      windowStart: new Date(Number(windowStartMs)).toISOString(),
      windowMinutes: r.level === 'session' ? o.sessionWindowMinutes : o.teamWindowMinutes,
      reasons: (typeof reasons === 'string' ? reasons.split(',') : reasons) as RunawayReason[],
    }))
    .sort((a, b) => b.spendUsd - a.spendUsd || a.level.localeCompare(b.level) || a.entity.localeCompare(b.entity));
}
