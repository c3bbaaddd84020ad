import { leverageByGroup, sessionSummarySql } from '@fulcrum/query';
import type { DashboardSpec, PanelSpec } from './model.js';
import { capture, SCOPE, toGrafana } from './sql.js';

/*
 * Spend, leverage and wasted $ for the selected teams and repositories, over
 * time and by team and repository. Grouping never goes below a team or a
 * repository: the individual view is opt-in and lives elsewhere.
 */

const USD = 'currencyUSD';

/** Leverage is Σ weighted activity / Σ spend over the sessions, as the query package computes it (not a mean of ratios). */
const LEVERAGE = 'if(sum(Spend) > 0, sum(Weighted) / sum(Spend), NULL)';

export async function overview(): Promise<DashboardSpec> {
  const summary = toGrafana(sessionSummarySql(SCOPE));
  const byGroup = async (by: 'team' | 'repository') =>
    toGrafana(await capture((c, s) => leverageByGroup(c, s, { by })));
  const groupTable = async (by: 'team' | 'repository'): Promise<PanelSpec> => ({
    type: 'table',
    title: `By ${by}`,
    description: `Sessions, spend, leverage and wasted $ per ${by} (the query package's leverage by group).`,
    sql: `SELECT if(key = '', '(none)', key) AS ${by}, sessions, spendUsd, leverage, wasteUsd, tokens, linesAdded, linesRemoved
FROM (${await byGroup(by)})
WHERE isTotal = 0
ORDER BY spendUsd DESC`,
    needs: { columns: [by, 'sessions', 'spendUsd', 'leverage', 'wasteUsd'] },
    w: 12,
    h: 9,
    fieldConfig: {
      defaults: {},
      overrides: [
        { matcher: { id: 'byRegexp', options: '^(spendUsd|wasteUsd)$' }, properties: [{ id: 'unit', value: USD }] },
        { matcher: { id: 'byName', options: 'leverage' }, properties: [{ id: 'decimals', value: 1 }] },
      ],
    },
  });
  return {
    uid: 'fulcrum-overview',
    title: 'Fulcrum / Overview',
    description: 'Spend, leverage and wasted $ by team and repository.',
    tags: ['overview'],
    panels: [
      {
        type: 'stat',
        title: 'Spend, leverage and wasted $',
        description: 'Totals over the sessions in range. Leverage = Σ(activity × weight) / $.',
        sql: `SELECT sum(Spend) AS spendUsd, ${LEVERAGE} AS leverage, sum(WasteUsd) AS wastedUsd,
  if(sum(Spend) > 0, sum(WasteUsd) / sum(Spend), NULL) AS wastedShare, count() AS sessions
FROM (${summary})`,
        needs: { columns: ['spendUsd', 'leverage', 'wastedUsd', 'wastedShare', 'sessions'] },
        w: 24,
        h: 5,
        fieldConfig: {
          defaults: {},
          overrides: [
            { matcher: { id: 'byRegexp', options: '^(spendUsd|wastedUsd)$' }, properties: [{ id: 'unit', value: USD }] },
            { matcher: { id: 'byName', options: 'wastedShare' }, properties: [{ id: 'unit', value: 'percentunit' }] },
            { matcher: { id: 'byName', options: 'leverage' }, properties: [{ id: 'decimals', value: 1 }] },
          ],
        },
        options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'none', graphMode: 'none', textMode: 'value_and_name' },
      },
      {
        type: 'timeseries',
        title: 'Spend, leverage and wasted $ over time',
        description: 'Per interval, over the sessions that started in it.',
        sql: `SELECT $__timeInterval(Start) AS time, sum(Spend) AS spendUsd, sum(WasteUsd) AS wastedUsd, ${LEVERAGE} AS leverage
FROM (${summary})
GROUP BY time
ORDER BY time`,
        needs: { columns: ['time', 'spendUsd', 'wastedUsd', 'leverage'], time: true },
        w: 24,
        h: 9,
        fieldConfig: {
          defaults: { unit: USD },
          overrides: [{ matcher: { id: 'byName', options: 'leverage' }, properties: [{ id: 'unit', value: 'none' }, { id: 'custom.axisPlacement', value: 'right' }] }],
        },
      },
      {
        type: 'timeseries',
        title: 'Spend by team',
        description: 'Per interval, over the sessions that started in it.',
        sql: `SELECT $__timeInterval(Start) AS time, if(Team = '', '(none)', Team) AS team, sum(Spend) AS spendUsd
FROM (${summary})
GROUP BY time, team
ORDER BY time, team`,
        needs: { columns: ['time', 'team', 'spendUsd'], time: true },
        w: 12,
        h: 9,
        unit: USD,
      },
      {
        type: 'timeseries',
        title: 'Wasted $ by repository',
        description: 'Per interval, over the sessions that started in it.',
        sql: `SELECT $__timeInterval(Start) AS time, if(Repository = '', '(none)', Repository) AS repository, sum(WasteUsd) AS wastedUsd
FROM (${summary})
GROUP BY time, repository
ORDER BY time, repository`,
        needs: { columns: ['time', 'repository', 'wastedUsd'], time: true },
        w: 12,
        h: 9,
        unit: USD,
      },
      await groupTable('team'),
      await groupTable('repository'),
    ],
  };
}
