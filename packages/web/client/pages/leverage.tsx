import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiPath, useApi } from '../api.js';
import { GroupBySelect } from '../components/controls.js';
import { Bars } from '../components/bars.js';
import { ConnectHelp, Page } from '../components/page.js';
import { count, groupKey, leverage, money } from '../format.js';
import type { Location } from '../router.js';
import { scopeOf } from '../scope.js';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension, type LeverageResult, type Weights } from '../types.js';

const ACTIVITIES: { key: keyof Weights; label: string }[] = [
  { key: 'linesAdded', label: 'Lines added' },
  { key: 'linesRemoved', label: 'Lines removed' },
  { key: 'refactors', label: 'Refactors' },
  { key: 'skills', label: 'Skills' },
  { key: 'mcp', label: 'MCP' },
];

export function Leverage({ loc }: { loc: Location }) {
  const scope = scopeOf(loc);
  const byParam = loc.params.get('by') ?? '';
  const by: Dimension = (DIMENSIONS as readonly string[]).includes(byParam) ? (byParam as Dimension) : 'team';
  const saved = useApi<LeverageResult>(apiPath('leverage', { ...scope, by }));
  // The weights being tried: text as typed, compared with the server's own.
  const [trial, setTrial] = useState<Record<string, string>>({});
  const [debounced, setDebounced] = useState<Record<string, string>>({});
  useEffect(() => {
    const t = setTimeout(() => setDebounced(trial), 250);
    return () => clearTimeout(t);
  }, [trial]);
  const savedWeights = saved.data?.weights;
  const changed = useMemo(() => {
    if (!savedWeights) return {};
    const out: Record<string, string> = {};
    for (const a of ACTIVITIES) {
      const v = debounced[a.key];
      if (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 && Number(v) !== savedWeights[a.key]) out[`weight.${a.key}`] = String(Number(v));
    }
    return out;
  }, [debounced, savedWeights]);
  const trying = Object.keys(changed).length > 0;
  const whatIf = useApi<LeverageResult>(trying ? apiPath('leverage', { ...scope, by, ...changed }) : null);
  const preview = trying ? whatIf.data : undefined;
  const previewByKey = new Map((preview?.groups ?? []).map((g) => [g.key, g.leverage]));
  const d = saved.data;
  const name = DIMENSION_LABELS[by].toLowerCase();
  return (
    <Page
      title="Leverage"
      busy={saved.loading || whatIf.loading}
      error={saved.error ?? whatIf.error}
      actions={
<GroupBySelect loc={loc} by={by} label="Group by" />
      }
    >
      {d && d.total.sessions === 0 && <ConnectHelp what={scope.since ? 'No sessions in this time range.' : undefined} />}
      {d && d.total.sessions > 0 && (
        <>
          <p class="lede">
            Leverage is weighted activity per dollar: (lines added × w + lines removed × w + refactors × w + skills × w + MCP calls × w) ÷ spend, summed over the
            sessions of a group. Total: <strong>{leverage(d.total.leverage)}</strong>
            {preview && (
              <>
                {' '}
                → what-if <strong>{leverage(preview.total.leverage)}</strong>
              </>
            )}
            .
          </p>
          <div class="leverage-layout">
            <form class="panel weights" aria-labelledby="weights-h" onSubmit={(e) => e.preventDefault()}>
              <h2 id="weights-h">Weights</h2>
              <p class="muted small">Change one to preview leverage with it. The server's weights stay as they are.</p>
              {ACTIVITIES.map((a) => {
                const id = `weight-${a.key}`;
                const value = trial[a.key] ?? String(d.weights[a.key]);
                const differs = value.trim() !== '' && Number(value) !== d.weights[a.key];
                return (
                  <div class="field weight" key={a.key}>
                    <label for={id}>{a.label}</label>
                    <input id={id} type="number" min="0" step="0.125" value={value} class={differs ? 'changed' : undefined} onInput={(e) => setTrial({ ...trial, [a.key]: (e.currentTarget as HTMLInputElement).value })} />
                    <span class="muted small">saved {d.weights[a.key]}</span>
                  </div>
                );
              })}
              <button type="button" disabled={!Object.keys(trial).length} onClick={() => setTrial({})}>
                Reset to saved weights
              </button>
            </form>
            <section class="panel" aria-labelledby="lev-h">
              <h2 id="lev-h">Leverage by {name}</h2>
              <Bars label={`Leverage by ${name}`} bars={d.groups.map((g) => ({ label: groupKey(g.key), value: g.leverage ?? 0 }))} format={leverage} />
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Leverage and activity by {name}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{DIMENSION_LABELS[by]}</th>
                      <th scope="col" class="num">Sessions</th>
                      <th scope="col" class="num">Spend</th>
                      <th scope="col" class="num">Lines added</th>
                      <th scope="col" class="num">Lines removed</th>
                      <th scope="col" class="num">Refactors</th>
                      <th scope="col" class="num">Skills</th>
                      <th scope="col" class="num">MCP</th>
                      <th scope="col" class="num">Leverage</th>
                      {trying && <th scope="col" class="num whatif">What-if leverage</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {[...d.groups, { ...d.total, key: '\u0000total' }].map((g) => {
                      const total = g.key === '\u0000total';
                      const w = total ? preview?.total.leverage : previewByKey.get(g.key);
                      return (
                        <tr key={g.key} class={total ? 'total' : undefined}>
                          <th scope="row">{total ? 'Total' : groupKey(g.key)}</th>
                          <td class="num">{count(g.sessions)}</td>
                          <td class="num">{money(g.spendUsd)}</td>
                          <td class="num">{count(g.linesAdded)}</td>
                          <td class="num">{count(g.linesRemoved)}</td>
                          <td class="num">{count(g.refactors)}</td>
                          <td class="num">{count(g.skills)}</td>
                          <td class="num">{count(g.mcp)}</td>
                          <td class="num">{leverage(g.leverage)}</td>
                          {trying && (
                            <td class="num whatif">
                              {whatIf.loading && !preview ? '…' : leverage(w)}
                              {w != null && g.leverage != null && <Delta from={g.leverage} to={w} />}
                            </td>
                          )}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </section>
          </div>
        </>
      )}
    </Page>
  );
}

function Delta({ from, to }: { from: number; to: number }) {
  const diff = to - from;
  if (Math.abs(diff) < 0.05) return null;
  return <span class={`delta ${diff > 0 ? 'good' : 'bad'}`}> ({diff > 0 ? '+' : '−'}{leverage(Math.abs(diff))})</span>;
}
