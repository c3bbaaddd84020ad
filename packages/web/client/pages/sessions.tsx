import { useEffect, useState } from 'preact/hooks';
import { apiPath, useApi } from '../api.js';
import { SessionLink } from '../components/controls.js';
import { ConnectHelp, Empty, Page } from '../components/page.js';
import { count, groupKey, leverage, money, tokens, when } from '../format.js';
import { navigate, withParams, type Location } from '../router.js';
import { scopeOf } from '../scope.js';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension, type LeverageResult, type SessionSummary } from '../types.js';

const PAGE_SIZE = 50;
const SORTS = ['start', 'spend', 'tokens', 'waste', 'leverage'] as const;
type Sort = (typeof SORTS)[number];

interface Column {
  label: string;
  sort?: Sort;
  num?: boolean;
}

const COLUMNS: Column[] = [
  { label: 'Session' },
  { label: 'Start', sort: 'start' },
  { label: 'Team' },
  { label: 'Repository' },
  { label: 'Harness' },
  { label: 'Use case' },
  { label: 'Spend', sort: 'spend', num: true },
  { label: 'Tokens', sort: 'tokens', num: true },
  { label: 'Waste', sort: 'waste', num: true },
  { label: 'Leverage', sort: 'leverage', num: true },
  { label: 'Failures', num: true },
];

export function Sessions({ loc }: { loc: Location }) {
  const scope = scopeOf(loc);
  const sort: Sort = (SORTS as readonly string[]).includes(loc.params.get('sort') ?? '') ? (loc.params.get('sort') as Sort) : 'start';
  const order = loc.params.get('order') === 'asc' ? 'asc' : 'desc';
  const page = Math.max(1, Number.parseInt(loc.params.get('page') ?? '1', 10) || 1);
  const offset = (page - 1) * PAGE_SIZE;
  const list = useApi<SessionSummary[]>(apiPath('sessions', { ...scope, sort, order, limit: String(PAGE_SIZE), offset: offset ? String(offset) : undefined }));
  const total = list.total ?? list.data?.length ?? 0;
  const rows = list.data ?? [];
  const filtered = DIMENSIONS.some((d) => scope[d]) || !!scope.since;
  const sortBy = (s: Sort) => {
    // A new column starts at its natural order (most first); the same column flips.
    const nextOrder = s === sort ? (order === 'desc' ? 'asc' : 'desc') : 'desc';
    navigate(withParams(loc, { sort: s, order: nextOrder === 'desc' ? undefined : 'asc', page: undefined }));
  };
  return (
    <Page title="Sessions" busy={list.loading} error={list.error}>
      <Filters loc={loc} />
      {!list.loading && !list.error && total === 0 && !filtered ? (
        <ConnectHelp />
      ) : (
        <section class="panel flush" aria-label="Session list">
          <div class="table-wrap">
            <table class="sessions">
              <caption>
                Sessions {sort === 'start' ? 'by start' : `by ${sort}`}, {order === 'desc' ? (sort === 'start' ? 'newest first' : 'most first') : sort === 'start' ? 'oldest first' : 'least first'}
              </caption>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th key={c.label} scope="col" class={c.num ? 'num' : undefined} aria-sort={c.sort && c.sort === sort ? (order === 'desc' ? 'descending' : 'ascending') : undefined}>
                      {c.sort ? (
                        <button type="button" class="sort" onClick={() => sortBy(c.sort!)}>
                          {c.label}
                          <span aria-hidden="true" class="sort-mark">
                            {c.sort === sort ? (order === 'desc' ? '▼' : '▲') : '↕'}
                          </span>
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <tr key={s.sessionId}>
                    <th scope="row">
                      <SessionLink id={s.sessionId} />
                    </th>
                    <td class="nowrap">{when(s.start)}</td>
                    <td>{groupKey(s.team)}</td>
                    <td>{groupKey(s.repository)}</td>
                    <td>{groupKey(s.harness)}</td>
                    <td>{groupKey(s.useCase)}</td>
                    <td class="num">
                      {money(s.spendUsd)}
                      {s.unpricedCalls > 0 && <span class="muted small" title={`${s.unpricedCalls} calls to models without a price are not included`}> +?</span>}
                    </td>
                    <td class="num">{tokens(s.tokens)}</td>
                    <td class={`num ${s.wasteUsd > 0 ? 'bad' : ''}`}>{money(s.wasteUsd)}</td>
                    <td class="num">{leverage(s.leverage)}</td>
                    <td class="num">{count(s.failures)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length === 0 && !list.loading && <Empty>No sessions match these filters. Clear them or widen the time range.</Empty>}
          <Pager loc={loc} page={page} shown={rows.length} total={total} />
        </section>
      )}
    </Page>
  );
}

function Pager({ loc, page, shown, total }: { loc: Location; page: number; shown: number; total: number }) {
  const first = shown === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = (page - 1) * PAGE_SIZE + shown;
  const go = (p: number) => navigate(withParams(loc, { page: p > 1 ? String(p) : undefined }));
  return (
    <div class="pager">
      <p aria-live="polite">
        Showing {count(first)}–{count(last)} of {count(total)}
      </p>
      <button type="button" onClick={() => go(page - 1)} disabled={page <= 1}>
        Previous
      </button>
      <button type="button" onClick={() => go(page + 1)} disabled={last >= total}>
        Next
      </button>
    </div>
  );
}

/** Filters by group: typed values, suggested from the groups in range; applied on submit, kept in the URL. */
function Filters({ loc }: { loc: Location }) {
  const current = () => Object.fromEntries(DIMENSIONS.map((d) => [d, loc.params.get(d) ?? ''])) as Record<Dimension, string>;
  const [values, setValues] = useState(current);
  const key = DIMENSIONS.map((d) => loc.params.get(d) ?? '').join('\u0000');
  useEffect(() => setValues(current()), [key]);
  const since = loc.params.get('since') ?? undefined;
  return (
    <form
      role="search"
      aria-label="Filters"
      class="filters panel"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(withParams(loc, { ...values, page: undefined }));
      }}
    >
      {DIMENSIONS.map((d) => (
        <Suggest key={d} dimension={d} since={since} value={values[d]} onInput={(v) => setValues({ ...values, [d]: v })} />
      ))}
      <div class="filter-buttons">
        <button type="submit" class="primary">
          Apply
        </button>
        <button type="button" onClick={() => navigate(withParams(loc, { team: undefined, repository: undefined, harness: undefined, useCase: undefined, page: undefined }))}>
          Clear
        </button>
      </div>
    </form>
  );
}

function Suggest({ dimension, since, value, onInput }: { dimension: Dimension; since?: string; value: string; onInput: (v: string) => void }) {
  // The groups in range, for the input's suggestions: asked for once the field is first used.
  const [wanted, setWanted] = useState(false);
  const groups = useApi<LeverageResult>(wanted ? apiPath('leverage', { by: dimension, since }) : null);
  const id = `filter-${dimension}`;
  return (
    <div class="field">
      <label for={id}>{DIMENSION_LABELS[dimension]}</label>
      <input id={id} name={dimension} type="text" list={`${id}-list`} value={value} autoComplete="off" placeholder="any" onFocus={() => setWanted(true)} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
      <datalist id={`${id}-list`}>
        {(groups.data?.groups ?? [])
          .filter((g) => g.key)
          .map((g) => (
            <option key={g.key} value={g.key} />
          ))}
      </datalist>
    </div>
  );
}
