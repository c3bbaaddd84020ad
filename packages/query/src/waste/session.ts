import { inputPriceParams } from '../prices.js';
import type { Finding, WasteKind } from './options.js';
import { KIND_CODE } from './pipeline.js';

/**
 * The waste pipeline's classification (waste/pipeline.ts), run here on the rows of one
 * session: a session is a few hundred rows, and planning the pipeline's SQL costs far more
 * than running it on them. Rows come from WASTE_SPAN_COLUMNS (the same per-span keys) in
 * (Timestamp, SpanId) order; the rules, priorities and prices are the pipeline's, and a test
 * checks both give the same findings.
 */
export interface WasteSpanRow {
  spanId: string;
  parentSpanId: string;
  /** Nanoseconds since the epoch, as text. */
  tsNs: string;
  startMs: number;
  type: string;
  toolName: string;
  filePath: string;
  command: string;
  model: string;
  success: boolean | number;
  fileUnchanged: boolean | number;
  resultSize: number;
  tokens: number;
  costUsd: number;
  kindCode: number;
  callKey: string;
  retryKey: string;
  searchKey: string;
  rangeStart: number;
  rangeEnd: number;
  editOld: string;
  editNew: string;
}

/** The columns of WasteSpanRow, over WASTE_SPAN_COLUMNS. */
export const WASTE_ROW_SQL = `toString(toUnixTimestamp64Nano(Timestamp)) AS tsNs, Model AS model, FilePath AS filePath, Command AS command,
  FileUnchanged AS fileUnchanged, ResultSize AS resultSize, Tokens AS tokens, KindCode AS kindCode,
  toString(CallKey) AS callKey, toString(RetryKey) AS retryKey, toString(SearchKey) AS searchKey,
  RangeStart AS rangeStart, RangeEnd AS rangeEnd, toString(EditOld) AS editOld, toString(EditNew) AS editNew, ToolName AS toolName`;

interface Wasted {
  row: WasteSpanRow;
  kind: WasteKind;
  anchors: string[];
  tokens: number;
  costUsd: number;
  estimated: boolean;
}

const MODS = new Set<number>([KIND_CODE.edit, KIND_CODE.write, KIND_CODE.delete]);

function groupBy<T>(xs: T[], key: (x: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return [...m.values()];
}

/** $ per input token of the session's model, else its blended price: the pipeline's InputPrice. */
function inputPrice(llm: WasteSpanRow[]): number {
  let best: WasteSpanRow | undefined;
  for (const r of llm) {
    if (!best || r.tokens > best.tokens || (r.tokens === best.tokens && BigInt(r.tsNs) < BigInt(best.tsNs))) best = r;
  }
  const { priceKeys, priceInput } = inputPriceParams();
  const model = (best?.model ?? '').toLowerCase();
  const i = priceKeys.findIndex((k) => model.startsWith(k));
  const listed = i >= 0 ? priceInput[i]! : 0;
  if (listed > 0) return listed;
  const cost = llm.reduce((s, r) => s + r.costUsd, 0);
  const tokens = llm.reduce((s, r) => s + r.tokens, 0);
  return cost / Math.max(tokens, 1);
}

/** The wasted spans of one session's rows (all of its spans, in (Timestamp, SpanId) order). */
export function classifySession(all: readonly WasteSpanRow[], minRepeat: number): Wasted[] {
  const rows = all.filter((r) => r.type === 'llm' || r.type === 'tool' || r.type === 'mcp');
  const n = rows.length;
  const isLlm = (i: number) => rows[i]!.kindCode === KIND_CODE.llm;
  const ok = (i: number) => Boolean(rows[i]!.success);
  const code = new Array<WasteKind | ''>(n).fill('');
  const anchors = new Array<string[]>(n).fill([]);
  const set = (i: number, k: WasteKind, a: string[]) => {
    if (code[i] === '') {
      code[i] = k;
      anchors[i] = a;
    }
  };
  const idx = rows.map((_, i) => i);
  const tools = idx.filter((i) => !isLlm(i));

  // Retries (highest priority): per retry key, a call after a failure of the same call.
  for (const g of groupBy(tools, (i) => rows[i]!.retryKey)) {
    let first = g[0]!;
    for (let j = 1; j < g.length; j++) {
      if (ok(g[j - 1]!)) first = g[j]!;
      else set(g[j]!, 'failed_retry', [rows[first]!.spanId]);
    }
  }
  // Per thread: the issuing model call, runs of identical calls, ping-pong.
  const issuer = new Map<number, { tokens: number; cost: number; issued: number } | undefined>();
  for (const thread of groupBy(idx, (i) => rows[i]!.parentSpanId)) {
    let current: { tokens: number; cost: number; issued: number } | undefined;
    let none = { tokens: 0, cost: 0, issued: 0 };
    for (const i of thread) {
      if (isLlm(i)) current = { tokens: rows[i]!.tokens, cost: rows[i]!.costUsd, issued: 0 };
      else {
        const g = current ?? none;
        g.issued++;
        issuer.set(i, current ?? undefined);
      }
    }
    void none;
    const t = thread.filter((i) => !isLlm(i));
    const key = (j: number) => rows[t[j]!]!.callKey;
    for (let s = 0; s < t.length; ) {
      let e = s;
      while (e + 1 < t.length && key(e + 1) === key(s)) e++;
      if (e - s + 1 >= minRepeat) for (let j = s + 1; j <= e; j++) set(t[j]!, 'repeated_call', [rows[t[s]!]!.spanId]);
      s = e + 1;
    }
    const pp = t.map((_, j) => j >= 2 && key(j) === key(j - 2) && key(j) !== key(j - 1));
    for (let s = 0; s < t.length; ) {
      if (!pp[s]) {
        s++;
        continue;
      }
      let e = s;
      while (e + 1 < t.length && pp[e + 1]) e++;
      if (e - s + 1 >= 2) for (let j = s; j <= e; j++) set(t[j]!, 'ping_pong', [rows[t[s - 2]!]!.spanId, rows[t[s - 1]!]!.spanId]);
      s = e + 1;
    }
  }
  // Per file: edits undoing the previous edit, reads since the file last changed.
  for (const file of groupBy(tools, (i) => rows[i]!.filePath)) {
    let prevEdit: WasteSpanRow | undefined;
    let reads: WasteSpanRow[] = [];
    for (const i of file) {
      const r = rows[i]!;
      if (MODS.has(r.kindCode)) reads = [];
      if (r.kindCode === KIND_CODE.edit) {
        const p = prevEdit;
        if (p && p.spanId !== '' && r.editOld !== r.editNew && r.editOld !== '0' && r.editOld === p.editNew && r.editNew === p.editOld) set(i, 'edit_revert', [p.spanId]);
        prevEdit = r;
      }
      if (r.kindCode === KIND_CODE.read) {
        const overlap = reads.find((p) => p.rangeStart <= r.rangeEnd && r.rangeStart <= p.rangeEnd)?.spanId ?? '';
        if (overlap !== '' || (r.fileUnchanged && reads.length > 0)) set(i, 'redundant_read', [overlap !== '' ? overlap : reads[reads.length - 1]!.spanId]);
        reads.push(r);
      }
    }
  }
  // Searches repeated with no change to any file between.
  let epoch = 0;
  const epochOf = new Map<number, number>();
  for (const i of idx) {
    if (MODS.has(rows[i]!.kindCode)) epoch++;
    epochOf.set(i, epoch);
  }
  for (const g of groupBy(tools.filter((i) => rows[i]!.searchKey !== '0'), (i) => `${rows[i]!.searchKey}/${epochOf.get(i)}`)) {
    for (let j = 1; j < g.length; j++) set(g[j]!, 'repeated_search', [rows[g[0]!]!.spanId]);
  }
  for (const i of idx) if (!ok(i)) set(i, isLlm(i) ? 'failed_model' : 'failed_tool', []);

  const price = inputPrice(idx.filter(isLlm).map((i) => rows[i]!));
  const out: Wasted[] = [];
  for (const i of idx) {
    const kind = code[i];
    if (!kind) continue;
    const r = rows[i]!;
    if (isLlm(i)) {
      out.push({ row: r, kind, anchors: anchors[i]!, tokens: r.tokens, costUsd: r.costUsd, estimated: false });
      continue;
    }
    const iss = issuer.get(i);
    const estimated = kind === 'redundant_read' || kind === 'repeated_search' || iss === undefined;
    const tokens = estimated ? Math.floor((r.resultSize + 3) / 4) : Math.floor(iss!.tokens / iss!.issued);
    out.push({ row: r, kind, anchors: anchors[i]!, tokens, costUsd: estimated ? tokens * price : iss!.cost / iss!.issued, estimated });
  }
  return out;
}

/** Findings from wasted spans, as findingsSql groups them: by kind and anchors, most expensive first. */
export function toFindings(sessionId: string, wasted: Wasted[], limit = 1000): Finding[] {
  const groups = groupBy(wasted, (w) => `${w.kind}\u0000${w.anchors.join('\u0000')}`);
  const findings = groups.map((g): Finding & { atMs: number } => ({
    sessionId,
    kind: g[0]!.kind,
    anchorSpanIds: g[0]!.anchors,
    wasteSpanIds: g.map((w) => w.row.spanId),
    tokens: g.reduce((s, w) => s + w.tokens, 0),
    costUsd: g.reduce((s, w) => s + w.costUsd, 0),
    estimated: g.some((w) => w.estimated),
    toolName: g[0]!.row.toolName,
    filePath: g[0]!.row.filePath,
    command: g[0]!.row.command,
    at: new Date(g[0]!.row.startMs).toISOString(),
    atMs: g[0]!.row.startMs,
  }));
  findings.sort((a, b) => b.costUsd - a.costUsd || a.atMs - b.atMs);
  return findings.slice(0, limit).map(({ atMs, ...f }) => (void atMs, f));
}
