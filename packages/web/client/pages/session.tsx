import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { apiPath, useApi } from '../api.js';
import { Empty, Page } from '../components/page.js';
import { SpanList } from '../components/span-list.js';
import { count, duration, kindLabel, money, offset, percent, shortId, tokens } from '../format.js';
import type { Location } from '../router.js';
import { flatten, revealRow, targetsOf, visibleRows, wasteCostBySpan, type FlatTree } from '../span-tree.js';
import type { Finding, SessionDetail } from '../types.js';
import { KIND_HELP } from './waste.js';

const hashSpan = (hash: string) => (hash.startsWith('#span-') ? decodeURIComponent(hash.slice('#span-'.length)) : '');

export function Session({ loc, id }: { loc: Location; id: string }) {
  const detail = useApi<SessionDetail>(apiPath(`sessions/${encodeURIComponent(id)}`, {}));
  const d = detail.data;
  const tree = useMemo(() => (d ? flatten(d.roots) : undefined), [d]);
  const targets = useMemo(() => targetsOf(d?.findings ?? []), [d]);
  const wasteCost = useMemo(() => wasteCostBySpan(d?.findings ?? []), [d]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const [selected, setSelected] = useState(-1);
  const [nonce, setNonce] = useState(0);
  const visible = useMemo(() => (tree ? visibleRows(tree, collapsed) : new Int32Array(0)), [tree, collapsed]);
  const select = useCallback(
    (row: number) => {
      if (!tree || row < 0) return;
      setCollapsed((c) => (tree.parent[row] >= 0 ? revealRow(tree, c, row) : c));
      setSelected(row);
      setNonce((n) => n + 1);
    },
    [tree],
  );
  // The hash names the selected span: a link followed, or a URL loaded with #span-<id>.
  useEffect(() => {
    const spanId = hashSpan(loc.hash);
    if (tree && spanId) select(tree.index.get(spanId) ?? -1);
  }, [tree, loc.hash]);
  const selectRow = (row: number) => {
    const spanId = tree?.nodes[row]?.spanId;
    if (!spanId) return;
    window.history.replaceState(null, '', `#span-${encodeURIComponent(spanId)}`);
    select(row);
  };
  const toggle = (row: number) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(row)) next.delete(row);
      else next.add(row);
      return next;
    });
  return (
    <Page title={`Session ${shortId(id)}`} busy={detail.loading} error={detail.error}>
      {detail.error?.status === 404 && (
        <p>
          <a href="/sessions">Back to the sessions</a>
        </p>
      )}
      {d && tree && (
        <>
          <Summary detail={d} tree={tree} />
          <div class="session-body">
            <section class="panel flush spans-panel" aria-labelledby="spans-h">
              <div class="panel-head">
                <h2 id="spans-h">Spans</h2>
                <div class="panel-tools">
                  <button type="button" onClick={() => setCollapsed(new Set())}>
                    Expand all
                  </button>
                  <button
                    type="button"
                    onClick={() => {
                      const all = new Set<number>();
                      for (let i = 0; i < tree.nodes.length; i++) if (tree.end[i] > i + 1 && tree.depth[i] > 0) all.add(i);
                      setCollapsed(all);
                    }}
                  >
                    Collapse all
                  </button>
                </div>
              </div>
              {tree.nodes.length === 0 ? (
                <Empty>This session has no spans.</Empty>
              ) : (
                <SpanList tree={tree} visible={visible} collapsed={collapsed} onToggle={toggle} selected={selected} onSelect={selectRow} scrollNonce={nonce} targets={targets} wasteCost={wasteCost} />
              )}
            </section>
            <Findings findings={d.findings} tree={tree} selected={selected >= 0 ? tree.nodes[selected].spanId : ''} onFollow={(spanId) => selectRow(tree.index.get(spanId) ?? -1)} />
          </div>
        </>
      )}
    </Page>
  );
}

function Summary({ detail: d, tree }: { detail: SessionDetail; tree: FlatTree }) {
  const del = d.delegation;
  return (
    <dl class="headline compact">
      <div>
        <dt>Spend</dt>
        <dd>{money(d.spendUsd)}</dd>
        {d.unpricedCalls > 0 && <dd class="sub">{count(d.unpricedCalls)} unpriced calls not included</dd>}
      </div>
      <div>
        <dt>Tokens</dt>
        <dd>{tokens(d.tokens)}</dd>
      </div>
      <div>
        <dt>Spans</dt>
        <dd>{count(d.spans)}</dd>
        <dd class="sub">{duration(tree.to - tree.from)}</dd>
      </div>
      <div>
        <dt>Waste</dt>
        <dd class={d.wasteUsd > 0 ? 'bad' : undefined}>{money(d.wasteUsd, d.findings.some((f) => f.evidence === 'known' && f.estimated))}</dd>
        <dd class="sub">
          {percent(d.spendUsd > 0 ? d.wasteUsd / d.spendUsd : null)} of spend · known evidence
        </dd>
      </div>
      <div>
        <dt>Possible waste</dt>
        <dd>{money(d.partialWasteUsd, true)}</dd>
        <dd class="sub">partial evidence, not in waste</dd>
      </div>
      <div>
        <dt>Lines</dt>
        <dd>
          +{count(d.linesAdded)} / −{count(d.linesRemoved)}
        </dd>
        <dd class="sub">
          {d.commits} commits · {d.pullRequests} PRs
        </dd>
      </div>
      <div>
        <dt>Delegation</dt>
        <dd>{del.level || '—'}</dd>
        <dd class="sub">
          {del.prompts} prompts · {del.toolCallsPerPrompt === null ? '—' : del.toolCallsPerPrompt.toFixed(1)} calls per prompt
        </dd>
      </div>
      {d.prevented.calls + d.prevented.warnings > 0 && (
        <div>
          <dt>Prevented</dt>
          <dd class="good">{money(d.prevented.usd, true)}</dd>
          <dd class="sub">
            {d.prevented.calls} calls stopped · {d.prevented.warnings} warnings
          </dd>
        </div>
      )}
      {d.unverifiableCalls > 0 && (
        <div>
          <dt>Unverifiable calls</dt>
          <dd>{count(d.unverifiableCalls)}</dd>
          {d.evidenceHint && <dd class="sub">{d.evidenceHint}</dd>}
        </div>
      )}
    </dl>
  );
}

/** Span links shown per finding before "show all": a loop of hundreds of calls would bury the others. */
const LINKS_SHOWN = 24;

function Findings({ findings, tree, selected, onFollow }: { findings: Finding[]; tree: FlatTree; selected: string; onFollow: (spanId: string) => void }) {
  const sorted = useMemo(() => [...findings].sort((a, b) => (a.evidence === b.evidence ? b.costUsd - a.costUsd : a.evidence === 'known' ? -1 : 1)), [findings]);
  const link = (spanId: string, role: string) => {
    const row = tree.index.get(spanId);
    const node = row === undefined ? undefined : tree.nodes[row];
    const text = node ? `${node.label || node.name} ${offset(tree.startOffset[row!])}` : shortId(spanId);
    return (
      <li key={spanId}>
        <a
          href={`#span-${encodeURIComponent(spanId)}`}
          class={`span-link ${role}`}
          aria-current={selected === spanId ? 'true' : undefined}
          onClick={(e) => {
            e.preventDefault();
            onFollow(spanId);
          }}
        >
          {text}
        </a>
      </li>
    );
  };
  return (
    <section class="panel findings" aria-label="Findings">
      <h2>Findings ({findings.length})</h2>
      {sorted.length === 0 ? (
        <Empty>No waste found in this session.</Empty>
      ) : (
        <ul class="finding-list">
          {sorted.map((f, n) => (
            <li key={`${f.kind}:${f.wasteSpanIds[0] ?? n}`} class={`finding ev-${f.evidence}`} data-kind={f.kind}>
              <div class="finding-head">
                <span class="kind" title={KIND_HELP[f.kind]}>
                  {kindLabel(f.kind)}
                </span>
                <span class={`evidence ev-${f.evidence}`}>{f.evidence} evidence</span>
                <span class="finding-cost">{money(f.costUsd, f.estimated || f.evidence === 'partial')}</span>
              </div>
              <div class="finding-meta">
                {f.toolName && <span>{f.toolName}</span>}
                {(f.filePath || f.command) && <code class="target">{f.filePath || f.command}</code>}
                <span class="muted">{tokens(f.tokens)} tokens</span>
              </div>
              {f.anchorSpanIds.length > 0 && (
                <div class="finding-spans">
                  <span class="muted">First:</span>
                  <ul>{f.anchorSpanIds.map((s) => link(s, 'anchor'))}</ul>
                </div>
              )}
              <WastedLinks ids={f.wasteSpanIds} link={link} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function WastedLinks({ ids, link }: { ids: string[]; link: (spanId: string, role: string) => JSX.Element }) {
  const [all, setAll] = useState(false);
  const shown = all ? ids : ids.slice(0, LINKS_SHOWN);
  return (
    <div class="finding-spans">
      <span class="muted">Wasted:</span>
      <ul>
        {shown.map((s) => link(s, 'wasted'))}
        {ids.length > shown.length && (
          <li>
            <button type="button" class="more" onClick={() => setAll(true)}>
              show all {ids.length}
            </button>
          </li>
        )}
      </ul>
    </div>
  );
}
