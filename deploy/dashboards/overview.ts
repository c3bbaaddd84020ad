import { DEFAULT_MIN_GROUP_SIZE, leverageByGroup, outcomesByGroup } from '@fulcrum/query';
import type { DashboardSpec, PanelSpec } from './model.js';
import { capture, LEVERAGE, summaries, toGrafana } from './sql.js';

/*
 * Spend, leverage and wasted $ for the selected teams and repositories, over
 * time and by team, repository and harness, from the sessions' materialised
 * summaries (a session counts in the interval it started in). Grouping never
 * goes below a team or a repository: the individual view is opt-in and lives
 * elsewhere.
 */

const USD = 'currencyUSD';

export async function overview(): Promise<DashboardSpec> {
  const from = summaries();
  const groupTable = async (by: 'team' | 'repository' | 'harness', w: number): Promise<PanelSpec> => ({
    type: 'table',
    title: `By ${by}`,
    description: `Sessions, spend, leverage and wasted $ per ${by} (the query package's leverage by group).`,
    sql: `SELECT if(key = '', '(none)', key) AS ${by}, sessions, spendUsd, leverage, wasteUsd, tokens, linesAdded, linesRemoved
FROM (${toGrafana(await capture((c, s) => leverageByGroup(c, s, { by })))})
WHERE isTotal = 0
ORDER BY spendUsd DESC, ${by}`,
    needs: { columns: [by, 'sessions', 'spendUsd', 'leverage', 'wasteUsd'] },
    w,
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
    description: 'Spend, leverage and wasted $ by team, repository and harness.',
    tags: ['overview'],
    panels: [
      {
        type: 'stat',
        title: 'Spend, leverage and wasted $',
        description: 'Totals over the sessions that started in range. Leverage = Σ(activity × weight) / $.',
        sql: `SELECT sum(SpendUsd) AS spendUsd, ${LEVERAGE} AS leverage, sum(WasteUsd) AS wastedUsd,
  if(spendUsd > 0, wastedUsd / spendUsd, NULL) AS wastedShare, count() AS sessions
FROM ${from}`,
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
        sql: `SELECT $__timeInterval(Start) AS time, sum(SpendUsd) AS spendUsd, sum(WasteUsd) AS wastedUsd, ${LEVERAGE} AS leverage
FROM ${from}
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
        sql: `SELECT $__timeInterval(Start) AS time, if(Team = '', '(none)', Team) AS team, sum(SpendUsd) AS spendUsd
FROM ${from}
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
FROM ${from}
GROUP BY time, repository
ORDER BY time, repository`,
        needs: { columns: ['time', 'repository', 'wastedUsd'], time: true },
        w: 12,
        h: 9,
        unit: USD,
      },
      await groupTable('team', 12),
      await groupTable('repository', 12),
      await groupTable('harness', 24),
      await outcomesTable(),
    ],
  };
}

/**
 * What landed, per team: the query package's outcome figures over the materialised session outcomes
 * (`fulcrum git sync` writes them). A team covering fewer than DEFAULT_MIN_GROUP_SIZE people shows
 * only that it is withheld, as the CLI and API do at the default privacy.minGroupSize.
 */
async function outcomesTable(): Promise<PanelSpec> {
  const k = DEFAULT_MIN_GROUP_SIZE;
  // The query package's SQL on one line: the panel keeps within MAX_PANEL_SQL_BYTES.
  const figures = toGrafana(await capture((c, s) => outcomesByGroup(c, s, { by: 'team', parts: ['landing'] }))).replace(/\s*\n\s*/g, ' ');
  return {
    type: 'table',
    title: 'Outcomes by team',
    description: `From fulcrum git sync: commits landed, agent lines landed (estimated from line counts), landing rate, $ per landed commit, abandoned $. Teams of fewer than ${k} people are withheld.`,
    sql: `SELECT if(key = '', '(none)', key) AS team, people >= ${k} AS shown, if(shown, '', 'withheld: under ${k} people') AS privacy,
  if(shown, commits, NULL) AS landedCommits, if(shown, landedLines, NULL) AS agentLinesLanded,
  if(shown AND linesWritten > 0, landedLines / linesWritten, NULL) AS landingRate,
  if(shown AND commits > 0, linkedUsd / commits, NULL) AS usdPerCommit, if(shown, abandonedUsd, NULL) AS abandoned
FROM (${figures})
WHERE isTotal = 0
ORDER BY landedLines DESC, team`,
    needs: { columns: ['team', 'privacy', 'landedCommits', 'agentLinesLanded', 'landingRate', 'usdPerCommit', 'abandoned'] },
    w: 24,
    h: 9,
    fieldConfig: {
      defaults: {},
      overrides: [
        { matcher: { id: 'byRegexp', options: '^(usdPerCommit|abandoned)$' }, properties: [{ id: 'unit', value: USD }] },
        { matcher: { id: 'byName', options: 'landingRate' }, properties: [{ id: 'unit', value: 'percentunit' }] },
        { matcher: { id: 'byName', options: 'agentLinesLanded' }, properties: [{ id: 'decimals', value: 1 }] },
        { matcher: { id: 'byName', options: 'shown' }, properties: [{ id: 'custom.hidden', value: true }] },
      ],
    },
  };
}
