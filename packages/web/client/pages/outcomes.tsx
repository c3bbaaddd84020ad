import { apiPath, useApi } from '../api.js';
import { GroupBySelect } from '../components/controls.js';
import { Empty, Page } from '../components/page.js';
import { count, groupKey, leverage, money, percent } from '../format.js';
import type { Location } from '../router.js';
import { scopeOf } from '../scope.js';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension, type OutcomeFigures, type OutcomesResult } from '../types.js';

const num = (v: number | null) => (v === null ? '—' : count(v));
const usd = (v: number | null) => (v === null ? '—' : money(v));

export function Outcomes({ loc }: { loc: Location }) {
  const byParam = loc.params.get('by') ?? '';
  const by: Dimension = (DIMENSIONS as readonly string[]).includes(byParam) ? (byParam as Dimension) : 'team';
  const res = useApi<OutcomesResult>(apiPath('outcomes', { ...scopeOf(loc), by }));
  const d = res.data;
  return (
    <Page
      title="Outcomes"
      busy={res.loading}
      error={res.error}
      actions={
<GroupBySelect loc={loc} by={by} label="Group by" />
      }
    >
      {d && !d.outcomesAvailable && (
        <section class="empty panel" aria-label="No outcomes yet">
          <h2>No outcomes yet</h2>
          <p>
            Outcomes say what landed: commits, landed lines, revert and survival rates, cost per accepted change. They come from your repositories' history. Run this in
            each repository the sessions worked in:
          </p>
          <pre>
            <code>npx fulcrum git sync</code>
          </pre>
          <p class="muted">It reads the git history (and pull requests, when it can), links commits to the sessions that wrote them, and the figures appear here.</p>
        </section>
      )}
      {d && d.outcomesAvailable && (
        <section class="panel" aria-labelledby="out-h">
          <h2 id="out-h">What landed, by {DIMENSION_LABELS[by].toLowerCase()}</h2>
          <p class="muted small">
            Groups covering fewer than {d.minGroupSize} people are withheld. Landed lines are an estimate from line counts (≈).
          </p>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Outcomes by {DIMENSION_LABELS[by].toLowerCase()}</caption>
              <thead>
                <tr>
                  <th scope="col">{DIMENSION_LABELS[by]}</th>
                  <th scope="col" class="num">Sessions</th>
                  <th scope="col" class="num">Commits</th>
                  <th scope="col" class="num">PRs</th>
                  <th scope="col" class="num">Landed lines</th>
                  <th scope="col" class="num">Landing rate</th>
                  <th scope="col" class="num">Survival 30d</th>
                  <th scope="col" class="num">Revert rate</th>
                  <th scope="col" class="num">$ per accepted change</th>
                  <th scope="col" class="num">Abandoned</th>
                  <th scope="col" class="num">Landed leverage</th>
                </tr>
              </thead>
              <tbody>
                {d.groups.map((g) => (
                  <Row key={g.key} g={g} />
                ))}
                <Row g={d.total} total />
              </tbody>
            </table>
          </div>
          {d.groups.length === 0 && <Empty>No group in this range has outcomes yet.</Empty>}
        </section>
      )}
    </Page>
  );
}

function Row({ g, total = false }: { g: OutcomeFigures; total?: boolean }) {
  const name = total ? 'Total' : groupKey(g.key);
  if (g.withheld) {
    return (
      <tr class={total ? 'total' : undefined}>
        <th scope="row">{name}</th>
        <td colSpan={10} class="muted">
          withheld{g.reason ? `: ${g.reason}` : ''}
        </td>
      </tr>
    );
  }
  return (
    <tr class={total ? 'total' : undefined}>
      <th scope="row">{name}</th>
      <td class="num">{num(g.sessions)}</td>
      <td class="num">{num(g.commits)}</td>
      <td class="num">{num(g.pullRequests)}</td>
      <td class="num">{g.landedLines === null ? '—' : `≈${count(g.landedLines)}`}</td>
      <td class="num">{percent(g.landingRate)}</td>
      <td class="num" title={g.survivalReason ?? undefined}>
        {percent(g.survival30d)}
      </td>
      <td class="num">{percent(g.revertRate)}</td>
      <td class="num">{usd(g.costPerAcceptedChange)}</td>
      <td class="num">{usd(g.abandonedUsd)}</td>
      <td class="num">{leverage(g.landedLeverage)}</td>
    </tr>
  );
}
