import { findingsSql, findRunaways, WASTE_KINDS, wastedSpansSql, type WasteKind } from '@fulcrum/query';
import type { DashboardSpec } from './model.js';
import { capture, quote, SCOPE, toGrafana } from './sql.js';

/*
 * Where money is wasted: loops, redundant reads and searches, failures (each
 * priced by the query package's waste pipeline) and spend spikes (its
 * runaway signals), with the worst sessions and findings.
 */

/** The dashboard's waste categories over the pipeline's kinds; every kind is in exactly one. */
export const WASTE_GROUPS: Record<'loops' | 'redundant reads and searches' | 'failures', readonly WasteKind[]> = {
  loops: ['repeated_call', 'ping_pong', 'edit_revert'],
  'redundant reads and searches': ['redundant_read', 'repeated_search'],
  failures: ['failed_retry', 'failed_tool', 'failed_model'],
};

const inList = (kinds: readonly string[]) => `(${kinds.map(quote).join(', ')})`;
const GROUP_SQL = `multiIf(${Object.entries(WASTE_GROUPS).map(([g, kinds]) => `WasteKind IN ${inList(kinds)}, ${quote(g)}`).join(', ')}, 'other')`;
const USD = 'currencyUSD';

export async function waste(): Promise<DashboardSpec> {
  const pipeline = wastedSpansSql(SCOPE);
  const grafana = (sql: string) => toGrafana({ sql, params: pipeline.params });
  const findings = findingsSql(pipeline.sql);
  const runaways = await capture((c, s) => findRunaways(c, s));
  if (WASTE_KINDS.some((k) => !Object.values(WASTE_GROUPS).flat().includes(k))) throw new Error('a waste kind has no dashboard category');
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
        sql: grafana(`SELECT ${Object.entries(WASTE_GROUPS).map(([g, kinds]) => `sumIf(WasteCost, WasteKind IN ${inList(kinds)}) AS \`${g}\``).join(', ')},
  sum(WasteCost) AS total
FROM (${pipeline.sql})`),
        needs: { columns: [...Object.keys(WASTE_GROUPS), 'total'] },
        w: 24,
        h: 5,
        unit: USD,
        options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'none', graphMode: 'none', textMode: 'value_and_name' },
      },
      {
        type: 'timeseries',
        title: 'Wasted $ over time by category',
        description: 'By the start of the wasted span.',
        sql: grafana(`SELECT $__timeInterval(Timestamp) AS time, ${GROUP_SQL} AS category, sum(WasteCost) AS wastedUsd
FROM (${pipeline.sql})
GROUP BY time, category
ORDER BY time, category`),
        needs: { columns: ['time', 'category', 'wastedUsd'], time: true },
        w: 12,
        h: 9,
        unit: USD,
      },
      {
        type: 'barchart',
        title: 'Wasted $ by kind',
        description: 'Wasted $, tokens and spans per waste kind.',
        sql: grafana(`SELECT WasteKind AS kind, sum(WasteCost) AS wastedUsd, toUInt64(sum(WasteTokens)) AS wastedTokens, count() AS spans
FROM (${pipeline.sql})
GROUP BY kind
ORDER BY wastedUsd DESC`),
        needs: { columns: ['kind', 'wastedUsd', 'wastedTokens', 'spans'] },
        w: 12,
        h: 9,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byName', options: 'wastedUsd' }, properties: [{ id: 'unit', value: USD }] }] },
        options: { xField: 'kind', orientation: 'horizontal', legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
      },
      {
        type: 'table',
        title: 'Spend spikes and runaway sessions',
        description: 'Session hours over budget ($25 or 600 calls) and session hours or team days above 3× their trailing median.',
        sql: toGrafana({
          sql: `SELECT level, entity, team, fromUnixTimestamp64Milli(toInt64(windowStartMs)) AS windowStart, spendUsd,
  spendUsd - ifNull(trailingMedianSpendUsd, 0) AS excessUsd, calls, trailingMedianSpendUsd, arrayStringConcat(reasons, ', ') AS reasons
FROM (${runaways.sql})`,
          params: runaways.params,
        }),
        needs: { columns: ['level', 'entity', 'windowStart', 'spendUsd', 'excessUsd', 'reasons'] },
        w: 24,
        h: 8,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byRegexp', options: '^(spendUsd|excessUsd|trailingMedianSpendUsd)$' }, properties: [{ id: 'unit', value: USD }] }] },
      },
      {
        type: 'table',
        title: 'Worst sessions',
        description: 'The ten sessions that wasted the most.',
        sql: grafana(`SELECT sessionId, sum(costUsd) AS wasteUsd, toUInt64(sum(tokens)) AS wasteTokens, count() AS findings,
  arrayStringConcat(arraySort(groupUniqArray(kind)), ', ') AS kinds
FROM (${findings})
GROUP BY sessionId
ORDER BY wasteUsd DESC, sessionId
LIMIT 10`),
        needs: { columns: ['sessionId', 'wasteUsd', 'wasteTokens', 'findings', 'kinds'] },
        w: 12,
        h: 10,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byName', options: 'wasteUsd' }, properties: [{ id: 'unit', value: USD }] }] },
      },
      {
        type: 'table',
        title: 'Costliest findings',
        description: 'One row per finding: what was repeated or failed, where, and what it cost.',
        sql: grafana(`SELECT sessionId, kind, toolName, filePath, command, length(wasteSpanIds) AS spans, costUsd, tokens, estimated
FROM (${findings})
ORDER BY costUsd DESC, sessionId, kind
LIMIT 50`),
        needs: { columns: ['sessionId', 'kind', 'toolName', 'spans', 'costUsd'] },
        w: 12,
        h: 10,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byName', options: 'costUsd' }, properties: [{ id: 'unit', value: USD }] }] },
      },
    ],
  };
}
