// The session's span tree flattened once into arrays, so the list can show any slice of 5,000+ spans cheaply:
// collapsing is a Set of row indices, and the visible rows are a walk that skips collapsed subtrees.
import type { Finding, SessionNode } from './types.js';

/** A span as the app reads it: the tree's own node. */
export type SpanNode = SessionNode;

export interface FlatTree {
  nodes: SpanNode[];
  depth: Int32Array;
  /** Index of the parent row; -1 for a root. */
  parent: Int32Array;
  /** Index just past the row's last descendant: its subtree is [i, end[i]). */
  end: Int32Array;
  /** Start of each span, ms since the session's first span began. */
  startOffset: Float64Array;
  index: Map<string, number>;
  /** The session's first start and last end, ms since the epoch. */
  from: number;
  to: number;
}

/** Pre-order, children in start order as the API sends them. Iterative: a deep chain of agents cannot overflow the stack. */
export function flatten(roots: SessionNode[]): FlatTree {
  const nodes: SpanNode[] = [];
  const depths: number[] = [];
  const parents: number[] = [];
  const stack: { node: SessionNode; depth: number; parent: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i], depth: 0, parent: -1 });
  while (stack.length) {
    const { node, depth, parent } = stack.pop()!;
    const at = nodes.length;
    nodes.push(node);
    depths.push(depth);
    parents.push(parent);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1, parent: at });
  }
  const n = nodes.length;
  const end = new Int32Array(n);
  for (let i = 0; i < n; i++) end[i] = i + 1;
  // Descendants come after their parent in pre-order: one pass backwards gives every subtree's end.
  for (let i = n - 1; i >= 0; i--) if (parents[i] >= 0 && end[i] > end[parents[i]]) end[parents[i]] = end[i];
  let from = Infinity;
  let to = -Infinity;
  const starts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = Date.parse(nodes[i].start);
    starts[i] = s;
    if (s < from) from = s;
    if (s + nodes[i].durationMs > to) to = s + nodes[i].durationMs;
  }
  if (!Number.isFinite(from)) from = to = 0;
  for (let i = 0; i < n; i++) starts[i] -= from;
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.spanId, i));
  return { nodes, depth: Int32Array.from(depths), parent: Int32Array.from(parents), end, startOffset: starts, index, from, to };
}

/** The rows shown: every row not inside a collapsed one. */
export function visibleRows(tree: FlatTree, collapsed: ReadonlySet<number>): Int32Array {
  const out = new Int32Array(tree.nodes.length);
  let k = 0;
  for (let i = 0; i < tree.nodes.length; ) {
    out[k++] = i;
    i = collapsed.has(i) ? tree.end[i] : i + 1;
  }
  return out.subarray(0, k);
}

/** The collapsed set with every ancestor of a row opened, so the row can be shown. */
export function revealRow(tree: FlatTree, collapsed: ReadonlySet<number>, row: number): Set<number> {
  const next = new Set(collapsed);
  for (let p = tree.parent[row]; p >= 0; p = tree.parent[p]) next.delete(p);
  return next;
}

/** What a tool row acted on: the span's own file or command, else a finding's that names the span. */
export function targetsOf(findings: Finding[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of findings) {
    const target = f.filePath || f.command;
    if (!target) continue;
    for (const id of [...f.anchorSpanIds, ...f.wasteSpanIds]) if (!out.has(id)) out.set(id, target);
  }
  return out;
}

/** What a wasted span cost: its finding's $ shared evenly over the finding's wasted spans. */
export function wasteCostBySpan(findings: Finding[]): Map<string, { usd: number; estimated: boolean }> {
  const out = new Map<string, { usd: number; estimated: boolean }>();
  for (const f of findings) {
    if (f.wasteSpanIds.length === 0) continue;
    const usd = f.costUsd / f.wasteSpanIds.length;
    for (const id of f.wasteSpanIds) {
      const prev = out.get(id);
      out.set(id, { usd: (prev?.usd ?? 0) + usd, estimated: (prev?.estimated ?? false) || f.estimated });
    }
  }
  return out;
}
