import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { duration, kindLabel, money, offset, tokens } from '../format.js';
import type { FlatTree } from '../span-tree.js';

/** Fixed row height: row i of the visible rows sits at i × ROW_HEIGHT, so no row needs measuring. */
export const ROW_HEIGHT = 28;
/** Rows rendered beyond the viewport on each side, so a fast scroll does not show blanks. */
const OVERSCAN = 12;

interface SpanListProps {
  tree: FlatTree;
  visible: Int32Array;
  collapsed: ReadonlySet<number>;
  onToggle: (row: number) => void;
  /** Flat index of the selected row, or -1. */
  selected: number;
  onSelect: (row: number) => void;
  /** Bumped to scroll the selected row into view again (a link followed twice). */
  scrollNonce: number;
  /** File or command by span id, for tool rows whose span does not carry one. */
  targets: Map<string, string>;
  /** The wasted $ of each wasted span (its finding's share). */
  wasteCost: Map<string, { usd: number; estimated: boolean }>;
}

/** Where a row sits among the visible ones (binary search: they are in increasing order). */
function positionOf(visible: Int32Array, row: number): number {
  let lo = 0;
  let hi = visible.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (visible[mid] === row) return mid;
    if (visible[mid] < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The session's spans as a virtualised tree and waterfall: only the rows in view are in the DOM. */
export function SpanList({ tree, visible, collapsed, onToggle, selected, onSelect, scrollNonce, targets, wasteCost }: SpanListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(560);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    const el = scroller.current;
    if (!el || selected < 0) return;
    const pos = positionOf(visible, selected);
    if (pos < 0) return;
    const top = pos * ROW_HEIGHT;
    if (top < el.scrollTop || top + ROW_HEIGHT > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, top - el.clientHeight / 2 + ROW_HEIGHT / 2);
      setScrollTop(el.scrollTop);
    }
  }, [selected, scrollNonce, visible]);
  const span = Math.max(1, tree.to - tree.from);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(visible.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let pos = first; pos < last; pos++) {
    const i = visible[pos];
    const node = tree.nodes[i];
    const hasChildren = tree.end[i] > i + 1;
    const open = !collapsed.has(i);
    const startMs = tree.startOffset[i];
    const left = (startMs / span) * 100;
    const width = Math.max((node.durationMs / span) * 100, 0.15);
    const target = node.filePath || node.command || targets.get(node.spanId) || '';
    const waste = node.waste.length > 0;
    const failed = !node.success;
    const wasted = wasteCost.get(node.spanId);
    rows.push(
      <div
        key={node.spanId}
        class={`span-row${waste ? ' waste' : ''}${failed ? ' failed' : ''}${i === selected ? ' selected' : ''}`}
        style={{ top: `${pos * ROW_HEIGHT}px` }}
        data-span-id={node.spanId}
        data-waste={waste ? node.waste.join(' ') : undefined}
        data-selected={i === selected ? 'true' : undefined}
        onClick={() => onSelect(i)}
      >
        <div class="span-name" style={{ paddingLeft: `${4 + tree.depth[i] * 14}px` }}>
          {hasChildren ? (
            <button
              type="button"
              class="disclosure"
              aria-expanded={open ? 'true' : 'false'}
              aria-label={`${open ? 'Collapse' : 'Expand'} ${node.label || node.name} (${tree.end[i] - i - 1} spans)`}
              onClick={(e) => {
                e.stopPropagation();
                onToggle(i);
              }}
            >
              {open ? '▾' : '▸'}
            </button>
          ) : (
            <span class="disclosure-space" />
          )}
          <span class={`type type-${node.type}`}>{node.type}</span>
          <span class="label" title={node.name}>
            {node.label || node.name}
          </span>
          {target && (
            <span class="target" title={target}>
              {target}
            </span>
          )}
          {failed && <span class="fail-mark">failed</span>}
          {waste && (
            <span class="waste-mark" title={`Waste: ${node.waste.map(kindLabel).join(', ')}`}>
              ⚠ {node.waste.map(kindLabel).join(', ')}
              {wasted && ` ${money(wasted.usd, wasted.estimated)}`}
            </span>
          )}
          {waste && node.evidence && <span class={`evidence ev-${node.evidence}`}>{node.evidence} evidence</span>}
          {node.guard && (
            <span class="guard-mark" title={node.guard.reason}>
              guard {node.guard.decision || 'acted'}
              {node.guard.policy ? ` (${node.guard.policy})` : ''}
              {node.guard.savedUsd > 0 ? ` · saved ${money(node.guard.savedUsd, true)}` : ''}
            </span>
          )}
        </div>
        <div class="num">{duration(node.durationMs)}</div>
        <div class="num">{tokens(node.tokens)}</div>
        <div class="num">{money(node.costUsd)}</div>
        <div class="wf">
          <span class="wf-bar" role="img" aria-label={`${offset(startMs)} – ${duration(node.durationMs)}`} style={{ left: `${Math.min(left, 99.85)}%`, width: `${Math.min(width, 100 - Math.min(left, 99.85))}%` }} />
        </div>
      </div>,
    );
  }
  const move = (delta: number) => {
    const pos = selected < 0 ? -1 : positionOf(visible, selected);
    const next = Math.min(visible.length - 1, Math.max(0, pos + delta));
    if (visible.length) onSelect(visible[next]);
  };
  return (
    <div class="span-list-box">
      <div class="span-head" aria-hidden="true">
        <div>Span</div>
        <div class="num">Duration</div>
        <div class="num">Tokens</div>
        <div class="num">Cost</div>
        <div class="wf-scale">
          <span>+0:00</span>
          <span>{duration(span)}</span>
        </div>
      </div>
      <div
        ref={scroller}
        class="span-scroll"
        data-testid="span-list"
        role="region"
        aria-label={`Spans: ${visible.length} of ${tree.nodes.length} shown. Arrow keys move, left and right collapse and expand.`}
        tabIndex={0}
        onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
        onKeyDown={(e) => {
          const keys: Record<string, () => void> = {
            ArrowDown: () => move(1),
            ArrowUp: () => move(-1),
            PageDown: () => move(Math.floor(height / ROW_HEIGHT)),
            PageUp: () => move(-Math.floor(height / ROW_HEIGHT)),
            ArrowLeft: () => selected >= 0 && tree.end[selected] > selected + 1 && !collapsed.has(selected) && onToggle(selected),
            ArrowRight: () => selected >= 0 && collapsed.has(selected) && onToggle(selected),
          };
          const act = keys[e.key];
          if (act && (e.target === e.currentTarget)) {
            e.preventDefault();
            act();
          }
        }}
      >
        <div class="span-canvas" style={{ height: `${visible.length * ROW_HEIGHT}px` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
