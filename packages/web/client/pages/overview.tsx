import { useMemo } from 'preact/hooks';
import { apiPath, useApi } from '../api.js';
import { GroupBySelect, SessionLink } from '../components/controls.js';
import { Bars } from '../components/bars.js';
import { ConnectHelp, Empty, Page } from '../components/page.js';
import { PALETTE, TimeChart, type ChartSeries } from '../components/time-chart.js';
import { count, groupKey, kindLabel, leverage, money, percent, when } from '../format.js';
import { withParams, type Location } from '../router.js';
import { scopeOf } from '../scope.js';
import { bucketsOf, valuesAt } from '../timeseries.js';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension, type Report, type Timeseries } from '../types.js';
import { WorstSessions } from './waste.js';

const dimensionOf = (loc: Location): Dimension => {
  const by = loc.params.get('by');
  return (DIMENSIONS as readonly string[]).includes(by ?? '') ? (by as Dimension) : 'team';
};

const moneyAxis = (v: number) => money(v).replace(/\.00$/, '');
const levAxis = (v: number) => leverage(v);

export function Overview({ loc }: { loc: Location }) {
  const scope = scopeOf(loc);
  const by = dimensionOf(loc);
  const report = useApi<Report>(apiPath('reports/waste', { ...scope, by, worst: '10' }));
  const all = useApi<Timeseries>(apiPath('timeseries', { ...scope, by: 'all' }));
  const grouped = useApi<Timeseries>(apiPath('timeseries', { ...scope, by }));
  const ts = all.data;
  const busy = report.loading || all.loading || grouped.loading;
  const r = report.data;
  const empty = r && r.total.sessions === 0;
  return (
    <Page
      title="Overview"
      busy={busy}
      error={report.error ?? all.error ?? grouped.error}
      actions={
<GroupBySelect loc={loc} by={by} label="Break down by" />
      }
    >
      {empty && <ConnectHelp what={scope.since || scope.until ? 'No sessions in this time range.' : undefined} />}
      {r && !empty && (
        <>
          <Headline report={r} />
          <div class="grid-2">
            {ts && <SpendChart ts={ts} />}
            {ts && <LeverageChart ts={ts} />}
          </div>
          <div class="grid-2">
            {grouped.data && <GroupedChart ts={grouped.data} by={by} />}
            <figure class="panel">
              <figcaption>Spend by {DIMENSION_LABELS[by].toLowerCase()}</figcaption>
              <Bars
                label={`Spend and waste by ${DIMENSION_LABELS[by].toLowerCase()}`}
                bars={r.groups.slice(0, 12).map((g) => ({ label: groupKey(g.key), value: g.spendUsd, inner: g.wasteUsd, href: g.key ? withParams(loc, { [by]: g.key, by: undefined }, '/sessions') : undefined }))}
                format={money}
                innerLabel="waste"
              />
            </figure>
          </div>
          <GroupTable report={r} by={by} loc={loc} />
          <Runaways report={r} />
          <section class="panel" aria-labelledby="worst-h">
            <h2 id="worst-h">Worst sessions</h2>
            <WorstSessions report={r} />
          </section>
          <OverBudget report={r} />
        </>
      )}
    </Page>
  );
}

function Headline({ report: r }: { report: Report }) {
  const spend = r.total.spendUsd;
  const w = r.waste;
  return (
    <dl class="headline">
      <div>
        <dt>Spend</dt>
        <dd>{money(spend)}</dd>
        <dd class="sub">
          {count(r.total.sessions)} sessions{r.total.unpricedCalls > 0 ? ` · ${count(r.total.unpricedCalls)} unpriced calls not included` : ''}
        </dd>
      </div>
      <div>
        <dt>Leverage</dt>
        <dd>{leverage(r.total.leverage)}</dd>
        <dd class="sub">weighted activity per $</dd>
      </div>
      <div>
        <dt>Waste</dt>
        <dd class="bad">{money(w.totalUsd, w.categories.some((c) => c.estimated))}</dd>
        <dd class="sub">
          {percent(spend > 0 ? w.totalUsd / spend : null)} of spend · {count(w.sessionsWithWaste)} sessions
          {w.partial.totalUsd > 0 ? ` · possible ${money(w.partial.totalUsd, true)} more` : ''}
        </dd>
      </div>
      <div>
        <dt>Over budget</dt>
        <dd class={r.budgets.sessionOverUsd > 0 ? 'bad' : undefined}>{money(r.budgets.sessionOverUsd)}</dd>
        <dd class="sub">{r.budgets.budgets.sessionUsd > 0 ? `over ${money(r.budgets.budgets.sessionUsd)} per session per ${r.budgets.budgets.sessionWindowMinutes} min` : 'no session budget set'}</dd>
      </div>
      {w.prevented.calls + w.prevented.warnings > 0 && (
        <div>
          <dt>Prevented by the guard</dt>
          <dd class="good">{money(w.prevented.usd, true)}</dd>
          <dd class="sub">
            {count(w.prevented.calls)} calls stopped · {count(w.prevented.warnings)} warnings
          </dd>
        </div>
      )}
    </dl>
  );
}

const tsSeconds = (ts: Timeseries) => ts.bucketSeconds;
const bucketName = (s: number) => (s >= 604_800 ? 'week' : s >= 86_400 ? 'day' : s >= 3600 ? 'hour' : `${Math.round(s / 60)} min`);

function SpendChart({ ts }: { ts: Timeseries }) {
  const xs = useMemo(() => bucketsOf(ts), [ts]);
  const series = useMemo<ChartSeries[]>(() => {
    const pts = ts.series[0]?.points ?? [];
    return [
      { label: 'Spend', color: PALETTE[0], values: valuesAt(xs, pts, (p) => p.spendUsd), fill: true },
      { label: 'Waste', color: PALETTE[4], values: valuesAt(xs, pts, (p) => p.wasteUsd) },
    ];
  }, [ts, xs]);
  const total = (series[0].values as number[]).reduce((a, b) => a + (b ?? 0), 0);
  const waste = (series[1].values as number[]).reduce((a, b) => a + (b ?? 0), 0);
  return (
    <figure class="panel">
      <figcaption>Spend over time</figcaption>
      <TimeChart xs={xs} series={series} format={moneyAxis} summary={`Spend and waste per ${bucketName(tsSeconds(ts))}: ${money(total)} spent, ${money(waste)} wasted over ${xs.length} ${bucketName(tsSeconds(ts))}s.`} />
    </figure>
  );
}

function LeverageChart({ ts }: { ts: Timeseries }) {
  const xs = useMemo(() => bucketsOf(ts), [ts]);
  const series = useMemo<ChartSeries[]>(() => [{ label: 'Leverage', color: PALETTE[2], values: valuesAt(xs, ts.series[0]?.points ?? [], (p) => p.leverage, null) }], [ts, xs]);
  const vals = series[0].values.filter((v): v is number => v !== null);
  return (
    <figure class="panel">
      <figcaption>Leverage over time</figcaption>
      <TimeChart xs={xs} series={series} format={levAxis} summary={`Leverage per ${bucketName(tsSeconds(ts))}: ${vals.length ? `from ${leverage(Math.min(...vals))} to ${leverage(Math.max(...vals))}` : 'no spend'}.`} />
    </figure>
  );
}

function GroupedChart({ ts, by }: { ts: Timeseries; by: Dimension }) {
  const xs = useMemo(() => bucketsOf(ts), [ts]);
  const series = useMemo<ChartSeries[]>(() => {
    const ranked = [...ts.series].map((s) => ({ s, total: s.points.reduce((a, p) => a + p.spendUsd, 0) })).sort((a, b) => b.total - a.total);
    return ranked.slice(0, PALETTE.length).map(({ s }, i) => ({ label: groupKey(s.key), color: PALETTE[i], values: valuesAt(xs, s.points, (p) => p.spendUsd) }));
  }, [ts, xs]);
  const name = DIMENSION_LABELS[by].toLowerCase();
  return (
    <figure class="panel">
      <figcaption>Spend by {name} over time</figcaption>
      <TimeChart xs={xs} series={series} format={moneyAxis} summary={`Spend per ${bucketName(tsSeconds(ts))} for each ${name}: ${series.map((s) => s.label).join(', ')}.`} />
    </figure>
  );
}

function GroupTable({ report: r, by, loc }: { report: Report; by: Dimension; loc: Location }) {
  return (
    <section class="panel" aria-labelledby="groups-h">
      <h2 id="groups-h">By {DIMENSION_LABELS[by].toLowerCase()}</h2>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Spend, leverage and waste by {DIMENSION_LABELS[by].toLowerCase()}</caption>
          <thead>
            <tr>
              <th scope="col">{DIMENSION_LABELS[by]}</th>
              <th scope="col" class="num">Sessions</th>
              <th scope="col" class="num">Spend</th>
              <th scope="col" class="num">Leverage</th>
              <th scope="col" class="num">Waste</th>
              <th scope="col" class="num">Waste share</th>
            </tr>
          </thead>
          <tbody>
            {r.groups.map((g) => (
              <tr key={g.key}>
                <th scope="row">{g.key ? <a href={withParams(loc, { [by]: g.key, by: undefined }, '/sessions')}>{g.key}</a> : groupKey(g.key)}</th>
                <td class="num">{count(g.sessions)}</td>
                <td class="num">{money(g.spendUsd)}</td>
                <td class="num">{leverage(g.leverage)}</td>
                <td class="num">{money(g.wasteUsd)}</td>
                <td class="num">{percent(g.spendUsd > 0 ? g.wasteUsd / g.spendUsd : null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Runaways({ report: r }: { report: Report }) {
  return (
    <section class="panel" aria-labelledby="runaway-h">
      <h2 id="runaway-h">Runaway spend</h2>
      {r.runaways.length === 0 ? (
        <Empty>No session or team crossed its budget or spiked above its usual spend in this range.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Windows where a session or team crossed its budget or spiked</caption>
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col">Session or team</th>
                <th scope="col">Team</th>
                <th scope="col">Window</th>
                <th scope="col" class="num">Spend</th>
                <th scope="col" class="num">Calls</th>
                <th scope="col" class="num">Usual spend</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {r.runaways.map((w) => (
                <tr key={`${w.level}:${w.entity}:${w.windowStart}`} class="runaway">
                  <td>{w.level}</td>
                  <td>{w.level === 'session' ? <SessionLink id={w.entity} /> : groupKey(w.entity)}</td>
                  <td>{groupKey(w.team)}</td>
                  <td>
                    {when(w.windowStart)} <span class="muted">({w.windowMinutes} min)</span>
                  </td>
                  <td class="num bad">{money(w.spendUsd)}</td>
                  <td class="num">{count(w.calls)}</td>
                  <td class="num">{w.trailingMedianSpendUsd === null ? '—' : money(w.trailingMedianSpendUsd)}</td>
                  <td>{w.reasons.map((x) => kindLabel(String(x))).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function OverBudget({ report: r }: { report: Report }) {
  const over = r.budgets.over;
  return (
    <section class="panel" aria-labelledby="budget-h">
      <h2 id="budget-h">Over budget</h2>
      {over.length === 0 ? (
        <Empty>
          No budget is set. Set <code>budgets.sessionUsd</code>, <code>teamUsd</code> or <code>repositoryUsd</code> in the config file (fulcrum.config.json).
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Spend over each budget that applied</caption>
            <thead>
              <tr>
                <th scope="col">Budget</th>
                <th scope="col" class="num">Per window</th>
                <th scope="col" class="num">Over by</th>
                <th scope="col" class="num">Windows over</th>
                <th scope="col" class="num">Over-budget entities</th>
                <th scope="col" class="num">Their spend</th>
              </tr>
            </thead>
            <tbody>
              {over.map((o) => (
                <tr key={o.level}>
                  <th scope="row">{o.level}</th>
                  <td class="num">
                    {money(o.budgetUsd)} / {o.windowMinutes} min
                  </td>
                  <td class={`num ${o.overUsd > 0 ? 'bad' : ''}`}>{money(o.overUsd)}</td>
                  <td class="num">{count(o.windows)}</td>
                  <td class="num">{count(o.entities)}</td>
                  <td class="num">{money(o.spendUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
