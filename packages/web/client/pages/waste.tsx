import { apiPath, useApi } from '../api.js';
import { SessionLink } from '../components/controls.js';
import { Bars } from '../components/bars.js';
import { ConnectHelp, Empty, Page } from '../components/page.js';
import { count, kindLabel, money, percent, tokens } from '../format.js';
import type { Location } from '../router.js';
import { scopeOf } from '../scope.js';
import type { Report, WasteHotspots } from '../types.js';

/** What each waste kind means, in a line. */
export const KIND_HELP: Record<string, string> = {
  failed_retry: 'a failed call retried unchanged, failing again',
  repeated_call: 'the same call made again with the same arguments',
  ping_pong: 'A→B→A→B: alternating between the same calls',
  edit_revert: 'an edit that undoes the previous edit of the same file',
  redundant_read: 'a file read again though it had not changed',
  repeated_search: 'the same search run again',
  failed_tool: 'a tool call that failed',
  failed_model: 'a model call that failed',
};

export function Waste({ loc }: { loc: Location }) {
  const report = useApi<Report>(apiPath('reports/waste', { ...scopeOf(loc), worst: '20' }));
  const hotspots = useApi<WasteHotspots>(apiPath('reports/waste/hotspots', scopeOf(loc)));
  const r = report.data;
  const w = r?.waste;
  return (
    <Page title="Waste" busy={report.loading || hotspots.loading} error={report.error ?? hotspots.error}>
      {r && r.total.sessions === 0 && <ConnectHelp what={loc.params.get('since') ? 'No sessions in this time range.' : undefined} />}
      {r && w && r.total.sessions > 0 && (
        <>
          <dl class="headline">
            <div>
              <dt>Waste</dt>
              <dd class="bad">{money(w.totalUsd, w.categories.some((c) => c.estimated))}</dd>
              <dd class="sub">
                {tokens(w.totalTokens)} tokens · {percent(r.total.spendUsd > 0 ? w.totalUsd / r.total.spendUsd : null)} of {money(r.total.spendUsd)} spend
              </dd>
            </div>
            <div>
              <dt>Sessions with waste</dt>
              <dd>{count(w.sessionsWithWaste)}</dd>
              <dd class="sub">of {count(r.total.sessions)}</dd>
            </div>
            <div>
              <dt>Possible waste</dt>
              <dd>{money(w.partial.totalUsd, true)}</dd>
              <dd class="sub">partial evidence: not in the totals</dd>
            </div>
            <div>
              <dt>Prevented by the guard</dt>
              <dd class="good">{money(w.prevented.usd, true)}</dd>
              <dd class="sub">
                {count(w.prevented.calls)} calls in {count(w.prevented.sessions)} sessions
              </dd>
            </div>
          </dl>
          {w.unverifiable.calls > 0 && (
            <p class="note">
              {count(w.unverifiable.calls)} tool calls in {count(w.unverifiable.sessions)} sessions could not be checked: their harness did not send the arguments.
              {w.unverifiable.hints.length > 0 && <> Set {w.unverifiable.hints.map((h, i) => <code key={i}>{h}</code>)} to check them.</>}
            </p>
          )}
          <div class="grid-2">
            <figure class="panel">
              <figcaption>Waste by category</figcaption>
              {w.categories.length === 0 ? (
                <Empty>No waste on known evidence in this range.</Empty>
              ) : (
                <Bars label="Wasted dollars by category" bars={[...w.categories].sort((a, b) => b.costUsd - a.costUsd).map((c) => ({ label: kindLabel(c.kind), value: c.costUsd }))} format={money} tone="bad" />
              )}
            </figure>
            <section class="panel" aria-labelledby="cat-h">
              <h2 id="cat-h">Categories</h2>
              <CategoryTable categories={w.categories} />
              {w.partial.categories.length > 0 && (
                <>
                  <h3>Possible waste (partial evidence)</h3>
                  <CategoryTable categories={w.partial.categories} partial />
                </>
              )}
            </section>
          </div>
          <section class="panel" aria-labelledby="worst-h">
            <h2 id="worst-h">Worst sessions</h2>
            <WorstSessions report={r} />
          </section>
          {hotspots.data && <Hotspots hotspots={hotspots.data} />}
        </>
      )}
    </Page>
  );
}

function CategoryTable({ categories, partial = false }: { categories: Report['waste']['categories']; partial?: boolean }) {
  if (categories.length === 0) return <Empty>No waste on known evidence in this range.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{partial ? 'Possible waste by category (partial evidence)' : 'Waste by category'}</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col" class="num">Findings</th>
            <th scope="col" class="num">Spans</th>
            <th scope="col" class="num">Tokens</th>
            <th scope="col" class="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {[...categories].sort((a, b) => b.costUsd - a.costUsd).map((c) => (
            <tr key={c.kind}>
              <th scope="row" class="wrap-text">
                <span class="kind" data-kind={c.kind}>
                  {kindLabel(c.kind)}
                </span>
                {KIND_HELP[c.kind] && <span class="muted small"> — {KIND_HELP[c.kind]}</span>}
              </th>
              <td class="num">{count(c.findings)}</td>
              <td class="num">{count(c.spans)}</td>
              <td class="num">{tokens(c.tokens)}</td>
              <td class="num">{money(c.costUsd, c.estimated || partial)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The sessions with the most waste on known evidence, each a link to its page. */
export function WorstSessions({ report: r }: { report: Report }) {
  const worst = r.waste.worstSessions;
  if (worst.length === 0) return <Empty>No session has waste on known evidence in this range.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Sessions with the most waste</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col" class="num">Waste</th>
            <th scope="col" class="num">Tokens</th>
            <th scope="col" class="num">Findings</th>
            <th scope="col">Kinds</th>
          </tr>
        </thead>
        <tbody>
          {worst.map((s) => {
            const kinds = [...new Set(s.findings.map((f) => f.kind))];
            return (
              <tr key={s.sessionId}>
                <th scope="row">
                  <SessionLink id={s.sessionId} />
                </th>
                <td class="num bad">{money(s.wasteUsd, s.findings.some((f) => f.estimated))}</td>
                <td class="num">{tokens(s.wasteTokens)}</td>
                <td class="num">{count(s.findings.length)}</td>
                <td>{kinds.map(kindLabel).join(', ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Hotspots({ hotspots: h }: { hotspots: WasteHotspots }) {
  return (
    <div class="grid-2">
      <section class="panel" aria-labelledby="files-h">
        <h2 id="files-h">Most wasted files</h2>
        {h.files.length === 0 ? (
          <Empty>No file was read or edited wastefully in this range.</Empty>
        ) : (
          <HotspotTable caption="Files with the most waste" head="File" rows={h.files.map((f) => ({ name: f.filePath, ...f }))} />
        )}
      </section>
      <section class="panel" aria-labelledby="cmds-h">
        <h2 id="cmds-h">Most wasted commands</h2>
        {h.commands.length === 0 ? (
          <Empty>No command was run wastefully in this range.</Empty>
        ) : (
          <HotspotTable caption="Commands with the most waste" head="Command" rows={h.commands.map((c) => ({ name: c.command, ...c }))} />
        )}
      </section>
    </div>
  );
}

function HotspotTable({ caption, head, rows }: { caption: string; head: string; rows: { name: string; findings: number; sessions: number; costUsd: number; tokens: number; kinds: string[] }[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col" class="num">Cost</th>
            <th scope="col" class="num">Findings</th>
            <th scope="col" class="num">Sessions</th>
            <th scope="col">Kinds</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((x) => (
            <tr key={x.name}>
              <th scope="row" class="mono wrap" title={x.name}>
                {x.name}
              </th>
              <td class="num bad">{money(x.costUsd)}</td>
              <td class="num">{count(x.findings)}</td>
              <td class="num">{count(x.sessions)}</td>
              <td>{x.kinds.map(kindLabel).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
