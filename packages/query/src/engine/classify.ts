import { createHash } from 'node:crypto';
import { DEFAULT_PRICES } from '@fulcrum/vocab';
import { ANALYSIS_DEFAULTS } from './config.js';
import { isCall, tokensOf, type SessionSpan } from './span.js';

/**
 * The waste classifier: the only place the waste rules live. A pure function
 * of one session's spans in session order (Timestamp, SpanId); it returns a
 * verdict for every wasted call. Reports, the API and the dashboards read its
 * materialised verdicts; the session view runs it live on an open session.
 *
 * | kind            | rule (a call is counted once, under the first kind that applies, in this order) |
 * |-----------------|----------------------------------------------------------------------------------|
 * | failed_retry    | the same call (same command, else same arguments) again after it failed; anchored at the first failure of the chain |
 * | repeated_call   | the 2nd and later of ≥ minRepeat identical consecutive tool calls of one agent thread (same parent span) |
 * | ping_pong       | A→B→A→B…: a call equal to the one two before and unlike the one before, in a stretch of ≥ 2 such calls of one thread |
 * | edit_revert     | an edit whose old/new text hashes are the previous edit of the same file's new/old |
 * | redundant_read  | a read of a file whose range overlaps an earlier read since the file last changed, or that the harness answered "unchanged" |
 * | repeated_search | the same search (pattern and path, or a read-only shell scan) with no file changed since the first |
 * | failed_tool     | any other failed tool or MCP call |
 * | failed_model    | a failed model call |
 *
 * A call whose identity is unknown (no argument hash, file, command or search:
 * a harness that sends tool names only) is never "identical" to another, and
 * a call with no file takes part in no file rule: precision before recall.
 *
 * Pricing: a failed model call costs its own tokens and $. A wasted tool call
 * costs its share of the model call that issued it (the latest model call
 * before it in its thread, split evenly over the tool calls it issued).
 * Re-reads, repeated searches and calls with no issuing model call are priced
 * from their result size (bytes / 4 tokens, rounded up) at the session model's
 * input price, and marked estimated.
 */
export const WASTE_KINDS = ['failed_retry', 'repeated_call', 'ping_pong', 'edit_revert', 'redundant_read', 'repeated_search', 'failed_tool', 'failed_model'] as const;
export type WasteKind = (typeof WASTE_KINDS)[number];

export interface ClassifyOptions {
  /** Identical consecutive calls that make a loop. @default 3 */
  minRepeat?: number;
}

/** The classifier's verdict on one wasted call. */
export interface Verdict {
  spanId: string;
  kind: WasteKind;
  /** The call(s) this one repeats: two for ping-pong, none for plain failures, else one. */
  anchorSpanIds: string[];
  /** Same for every call of one finding: session, kind and anchors. */
  findingId: string;
  tokens: number;
  costUsd: number;
  /** Tokens estimated from the result size, not reported. */
  estimated: boolean;
}

const MODIFIES = new Set(['edit', 'write', 'delete']);

export function classifySession(spans: readonly SessionSpan[], options: ClassifyOptions = {}): Verdict[] {
  const minRepeat = options.minRepeat ?? ANALYSIS_DEFAULTS.minRepeat;
  if (!Number.isInteger(minRepeat) || minRepeat < 2) throw new RangeError(`minRepeat must be an integer >= 2, got ${minRepeat}`);
  const calls = spans.filter(isCall);
  const n = calls.length;
  const kind = new Array<WasteKind | undefined>(n);
  const anchors = new Array<string[]>(n);
  const mark = (i: number, k: WasteKind, a: string[]) => {
    if (kind[i] === undefined) {
      kind[i] = k;
      anchors[i] = a;
    }
  };
  const isModel = (i: number) => calls[i]!.type === 'llm';
  const tools: number[] = [];
  for (let i = 0; i < n; i++) if (!isModel(i)) tools.push(i);
  const callKey = calls.map(identity);

  // Failed retries: per retried command (else call), a call after a failure of the same call.
  const retryKey = (i: number) => (calls[i]!.commandKey ? `cmd\u0000${calls[i]!.toolName}\u0000${calls[i]!.commandKey}` : callKey[i]!);
  for (const group of groupBy(tools, retryKey)) {
    let first = group[0]!;
    for (let j = 1; j < group.length; j++) {
      if (calls[group[j - 1]!]!.success) first = group[j]!;
      else mark(group[j]!, 'failed_retry', [calls[first]!.spanId]);
    }
  }

  // Per agent thread: the issuing model call of each tool call, identical runs, ping-pong.
  const issuer = new Array<{ tokens: number; costUsd: number; issued: number } | undefined>(n);
  for (const thread of groupBy(range(n), (i) => calls[i]!.parentSpanId)) {
    let current: { tokens: number; costUsd: number; issued: number } | undefined;
    const threadTools: number[] = [];
    for (const i of thread) {
      if (isModel(i)) current = { tokens: tokensOf(calls[i]!), costUsd: calls[i]!.costUsd, issued: 0 };
      else {
        if (current) current.issued++;
        issuer[i] = current;
        threadTools.push(i);
      }
    }
    const key = (j: number) => callKey[threadTools[j]!]!;
    for (let s = 0; s < threadTools.length; ) {
      let e = s;
      while (e + 1 < threadTools.length && key(e + 1) === key(s)) e++;
      if (e - s + 1 >= minRepeat) for (let j = s + 1; j <= e; j++) mark(threadTools[j]!, 'repeated_call', [calls[threadTools[s]!]!.spanId]);
      s = e + 1;
    }
    const pingPong = (j: number) => j >= 2 && key(j) === key(j - 2) && key(j) !== key(j - 1);
    for (let s = 0; s < threadTools.length; ) {
      if (!pingPong(s)) {
        s++;
        continue;
      }
      let e = s;
      while (e + 1 < threadTools.length && pingPong(e + 1)) e++;
      if (e - s + 1 >= 2) {
        const a = [calls[threadTools[s - 2]!]!.spanId, calls[threadTools[s - 1]!]!.spanId];
        for (let j = s; j <= e; j++) mark(threadTools[j]!, 'ping_pong', a);
      }
      s = e + 1;
    }
  }

  // Per file: an edit undoing the previous edit; reads since the file last changed.
  const byFile = new Map<string, number[]>();
  for (const i of tools) for (const f of filesOf(calls[i]!)) push(byFile, f, i);
  for (const events of byFile.values()) {
    let previousEdit: SessionSpan | undefined;
    let reads: SessionSpan[] = [];
    for (const i of events) {
      const c = calls[i]!;
      if (MODIFIES.has(c.toolKind)) reads = [];
      if (c.toolKind === 'edit') {
        const p = previousEdit;
        if (p && c.editOldHash !== '' && c.editOldHash !== c.editNewHash && c.editOldHash === p.editNewHash && c.editNewHash === p.editOldHash) mark(i, 'edit_revert', [p.spanId]);
        previousEdit = c;
      }
      if (c.toolKind === 'read') {
        const [start, end] = readRange(c);
        const overlap = reads.find((r) => readRange(r)[0] <= end && start <= readRange(r)[1]);
        if (overlap) mark(i, 'redundant_read', [overlap.spanId]);
        else if (c.fileUnchanged && reads.length > 0) mark(i, 'redundant_read', [reads[reads.length - 1]!.spanId]);
        reads.push(c);
      }
    }
  }

  // Searches repeated with no file changed since the first.
  let epoch = 0;
  const firstSearch = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = calls[i]!;
    if (!isModel(i) && MODIFIES.has(c.toolKind)) epoch++;
    if (isModel(i) || c.searchKey === '') continue;
    const k = `${epoch}\u0000${c.searchKey}`;
    const first = firstSearch.get(k);
    if (first === undefined) firstSearch.set(k, i);
    else mark(i, 'repeated_search', [calls[first]!.spanId]);
  }

  for (let i = 0; i < n; i++) if (!calls[i]!.success) mark(i, isModel(i) ? 'failed_model' : 'failed_tool', []);

  const price = inputPricePerToken(calls.filter((c) => c.type === 'llm'));
  const sessionId = calls[0]?.sessionId ?? '';
  const verdicts: Verdict[] = [];
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (k === undefined) continue;
    const c = calls[i]!;
    const a = anchors[i]!;
    const findingId = findingIdOf(sessionId, k, a);
    if (isModel(i)) {
      verdicts.push({ spanId: c.spanId, kind: k, anchorSpanIds: a, findingId, tokens: tokensOf(c), costUsd: c.costUsd, estimated: false });
      continue;
    }
    const iss = issuer[i];
    const estimated = k === 'redundant_read' || k === 'repeated_search' || iss === undefined;
    const tokens = estimated ? Math.ceil(c.resultSize / 4) : Math.floor(iss!.tokens / iss!.issued);
    verdicts.push({ spanId: c.spanId, kind: k, anchorSpanIds: a, findingId, tokens, costUsd: estimated ? tokens * price : iss!.costUsd / iss!.issued, estimated });
  }
  return verdicts;
}

/** What makes two calls the same call; unique when nothing about the call is known. */
function identity(c: SessionSpan): string {
  if (c.type === 'llm') return `llm\u0000${c.spanId}`;
  if (c.argsHash) return `${c.toolName}\u0000${c.argsHash}`;
  if (!c.commandKey && !c.filePath && !c.searchKey) return `unknown\u0000${c.spanId}`;
  return `${c.toolName}\u0000${c.commandKey}\u0000${c.filePath}\u0000${c.searchKey}\u0000${c.readOffset}:${c.readLimit}`;
}

function filesOf(c: SessionSpan): string[] {
  if (c.filePaths.length > 0) return c.filePaths;
  return c.filePath ? [c.filePath] : [];
}

/** Lines [start, end] read; 1-based, the whole file when no range was given. */
function readRange(c: SessionSpan): [number, number] {
  const start = c.readOffset === 0 ? 1 : c.readOffset;
  return [start, c.readLimit === 0 ? Number.MAX_SAFE_INTEGER : start + c.readLimit - 1];
}

const PRICE_KEYS = Object.keys(DEFAULT_PRICES).sort((a, b) => b.length - a.length);

/** $ per input token of the session's main model (its biggest model call), else its blended price. */
export function inputPricePerToken(models: readonly SessionSpan[]): number {
  let main: SessionSpan | undefined;
  for (const m of models) if (!main || tokensOf(m) > tokensOf(main)) main = m;
  const model = (main?.model ?? '').toLowerCase();
  const key = PRICE_KEYS.find((k) => model.startsWith(k));
  const listed = key ? DEFAULT_PRICES[key]!.input / 1e6 : 0;
  if (listed > 0) return listed;
  const cost = models.reduce((s, m) => s + m.costUsd, 0);
  const tokens = models.reduce((s, m) => s + tokensOf(m), 0);
  return cost / Math.max(tokens, 1);
}

export function findingIdOf(sessionId: string, kind: WasteKind, anchors: readonly string[]): string {
  return createHash('sha1').update(`${sessionId}\u0000${kind}\u0000${anchors.join('\u0000')}`).digest('hex').slice(0, 16);
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const x of xs) push(m, key(x), x);
  return [...m.values()];
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const g = m.get(k);
  if (g) g.push(v);
  else m.set(k, [v]);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
