import { findingsSql, findRunaways, RUNAWAY_DEFAULTS, summariesIn, WASTE_KINDS, type WasteKind } from '@fulcrum/query';
import type { DashboardSpec } from './model.js';
import { captureAll, quote, SCOPE, summaries, toGrafana } from './sql.js';

/*
 * Where money is wasted: loops, redundant reads and searches, failures (each
 * kind and its $ as the analysis engine materialised them: waste by kind on
 * each session summary, one verdict per wasted span) and spend spikes (the
 * runaway windows it judged), with the worst sessions and findings. Over the
 * sessions that started in range.
 */

/** The dashboard's waste categories over the engine's kinds; every kind is in exactly one. */
export const WASTE_GROUPS: Record<'loops' | 'redundant reads and searches' | 'failures', readonly WasteKind[]> = {
  loops: ['repeated_call', 'ping_pong', 'edit_revert'],
  'redundant reads and searches': ['redundant_read', 'repeated_search'],
  failures: ['failed_retry', 'failed_tool', 'failed_model'],
};

const inList = (kinds: readonly string[]) => `(${kinds.map(quote).join(', ')})`;
const GROUPS = Object.entries(WASTE_GROUPS);
const CATEGORY_SQL = `multiIf(${GROUPS.map(([g, kinds]) => `Waste.Kind IN ${inList(kinds)}, ${quote(g)}`).join(', ')}, 'other')`;
const USD = 'currencyUSD';
const R = RUNAWAY_DEFAULTS;

/** Runaway rows as a panel shows them, from either of findRunaways' queries (reasons: comma-joined text, or an array). */
const runawayRows = (sql: string, reasons: string) => `SELECT level, entity, team, fromUnixTimestamp64Milli(toInt64(windowStartMs)) AS windowStart, spendUsd,
  spendUsd - ifNull(trailingMedianSpendUsd, 0) AS excessUsd, calls, trailingMedianSpendUsd, ${reasons} AS reasons
FROM (${sql})`;

export async function waste(): Promise<DashboardSpec> {
  if (WASTE_KINDS.some((k) => !Object.values(WASTE_GROUPS).flat().includes(k))) throw new Error('a waste kind has no dashboard category');
  const [sessionRunaways, teamRunaways] = await captureAll((c, s) => findRunaways(c, s));
  if (!sessionRunaways || !teamRunaways || teamRunaways.sql.includes('Runaways.')) throw new Error('findRunaways no longer runs a session query then a team query');
  const perKind = summaries({ arrayJoin: 'Waste' });
  const inScope = summariesIn(SCOPE);
  // Findings on known evidence, as the report's headline counts them; partial ones are the report's "possible waste".
  const findings = toGrafana({ sql: findingsSql(`SessionId IN (SELECT SessionId FROM ${inScope.sql})`, 'known'), params: inScope.params });
  return {
    uid: 'fulcrum-waste',
    title: 'Fulcrum / Waste',
    description: 'Loops, redundant reads and searches, failures and spend spikes, each with its $; worst sessions.',
    tags: ['waste'],
    panels: [
      {
        type: 'stat',
        title: 'Wasted $ by category',
        description: 'Each wasted span is counted once, under its first kind (failed retry before repeated call, ...).',
        sql: `SELECT ${GROUPS.map(([g, kinds]) => `sumIf(Waste.CostUsd, Waste.Kind IN ${inList(kinds)}) AS \`${g}\``).join(',\n  ')},
  sum(Waste.CostUsd) AS total
FROM ${perKind}`,
        needs: { columns: [...Object.keys(WASTE_GROUPS), 'total'] },
        w: 24,
        h: 5,
        unit: USD,
        options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'none', graphMode: 'none', textMode: 'value_and_name' },
      },
      {
        type: 'timeseries',
        title: 'Wasted $ over time by category',
        description: 'Per interval, over the sessions that started in it.',
        sql: `SELECT $__timeInterval(Start) AS time, ${CATEGORY_SQL} AS category, sum(Waste.CostUsd) AS wastedUsd
FROM ${perKind}
GROUP BY time, category
ORDER BY time, category`,
        needs: { columns: ['time', 'category', 'wastedUsd'], time: true },
        w: 12,
        h: 9,
        unit: USD,
      },
      {
        type: 'barchart',
        title: 'Wasted $ by kind',
        description: 'Wasted $, tokens, spans and findings per waste kind (the waste report\'s categories).',
        sql: `SELECT Waste.Kind AS kind, sum(Waste.CostUsd) AS wastedUsd, sum(Waste.Tokens) AS wastedTokens, sum(Waste.Spans) AS spans, sum(Waste.Findings) AS findings
FROM ${perKind}
GROUP BY kind
ORDER BY wastedUsd DESC, kind`,
        needs: { columns: ['kind', 'wastedUsd', 'wastedTokens', 'spans', 'findings'] },
        w: 12,
        h: 9,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byName', options: 'wastedUsd' }, properties: [{ id: 'unit', value: USD }] }] },
        options: { xField: 'kind', orientation: 'horizontal', legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
      },
      {
        type: 'table',
        title: 'Runaway sessions',
        description: `Session windows (by default an hour) over budget (by default $${R.sessionBudgetUsd} or ${R.sessionCallBudget} calls) or above ${R.spikeMultiple}× the session's trailing median, as the engine judged them when it analysed the session.`,
        sql: `${runawayRows(toGrafana(sessionRunaways), "replaceAll(reasons, ',', ', ')")}
ORDER BY spendUsd DESC, entity`,
        needs: { columns: ['level', 'entity', 'team', 'windowStart', 'spendUsd', 'excessUsd', 'reasons'] },
        w: 12,
        h: 8,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byRegexp', options: '^(spendUsd|excessUsd|trailingMedianSpendUsd)$' }, properties: [{ id: 'unit', value: USD }] }] },
      },
      {
        type: 'table',
        title: 'Team spend spikes',
        description: `Team windows of ${R.teamWindowMinutes / 60} h above ${R.spikeMultiple}× the team's trailing median (of up to ${R.history} earlier windows in range), summed from its sessions' windows.`,
        sql: `${runawayRows(toGrafana(teamRunaways), "arrayStringConcat(reasons, ', ')")}
ORDER BY spendUsd DESC, entity`,
        needs: { columns: ['level', 'entity', 'team', 'windowStart', 'spendUsd', 'excessUsd', 'reasons'] },
        w: 12,
        h: 8,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byRegexp', options: '^(spendUsd|excessUsd|trailingMedianSpendUsd)$' }, properties: [{ id: 'unit', value: USD }] }] },
      },
      {
        type: 'table',
        title: 'Worst sessions',
        description: 'The ten sessions that wasted the most.',
        sql: `SELECT SessionId AS sessionId, Team AS team, Repository AS repository, WasteUsd AS wasteUsd, WasteTokens AS wasteTokens,
  arraySum(Waste.Findings) AS findings, arrayStringConcat(Waste.Kind, ', ') AS kinds, SpendUsd AS spendUsd
FROM ${summaries()} AND WasteSpans > 0
ORDER BY WasteUsd DESC, SessionId
LIMIT 10`,
        needs: { columns: ['sessionId', 'wasteUsd', 'wasteTokens', 'findings', 'kinds'] },
        w: 12,
        h: 10,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byRegexp', options: '^(wasteUsd|spendUsd)$' }, properties: [{ id: 'unit', value: USD }] }] },
      },
      {
        type: 'table',
        title: 'Costliest findings',
        description: 'One row per finding: what was repeated or failed, where, and what it cost.',
        sql: `SELECT sessionId, kind, toolName, filePath, command, length(wasteSpanIds) AS spans, costUsd, tokens, estimated
FROM (${findings})
ORDER BY costUsd DESC, sessionId, kind
LIMIT 50`,
        needs: { columns: ['sessionId', 'kind', 'toolName', 'spans', 'costUsd'] },
        w: 12,
        h: 10,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byName', options: 'costUsd' }, properties: [{ id: 'unit', value: USD }] }] },
      },
    ],
  };
}
