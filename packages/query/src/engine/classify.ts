import { createHash } from 'node:crypto';
import { changesNothing, DEFAULT_PRICES, findPrice, type PriceTable } from '@fulcrum/vocab';
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
 * | failed_retry    | a failed call identical to the failed call before it (same command, else same arguments), with nothing between that could have changed the outcome; anchored at the first failure of the chain |
 * | repeated_call   | the 2nd and later of ≥ minRepeat identical consecutive tool calls of one agent thread |
 * | ping_pong       | A→B→A→B…: a call equal to the one two before and unlike the one before, in a stretch of ≥ 2 such calls of one thread |
 * | edit_revert     | an edit whose old/new text hashes are the previous edit of the same file's new/old |
 * | redundant_read  | a read of a file whose range overlaps an earlier read since the file last changed, or that the harness answered "unchanged" |
 * | repeated_search | the same search (pattern and path, or a read-only shell scan) with no file changed since the first |
 * | failed_tool     | any other failed tool or MCP call |
 * | failed_model    | a failed model call |
 *
 * **Evidence.** A verdict is `known` when the calls' arguments (or their
 * hash, file, command or search) show they are the same, and nothing between
 * them could have changed the result. It is `partial` when only what a
 * privacy-minded harness sends shows it (Claude Code without
 * OTEL_LOG_TOOL_DETAILS: tool name, argument bytes, result bytes, success and
 * order), or when a shell command of unknown effect ran between two identical
 * reads or searches. Partial verdicts are listed apart and never counted in
 * the headline waste. Partial rules, for calls whose arguments are unknown:
 * - failed_retry: same tool and argument bytes, both failed, adjacent in their group, and no call between that could change anything (any shell, edit, write or delete);
 * - repeated_call: ≥ minRepeat consecutive calls with the same tool, argument bytes, result bytes and outcome;
 * - redundant_read / repeated_search: a read (search) tool with the same argument bytes and the same result bytes as an earlier successful one (or a read the harness answered "unchanged"), with no edit, write, delete or shell call since.
 * A call with neither arguments nor argument bytes is never "identical" to another.
 *
 * **Price** (one rule for every kind). A failed model call costs its own $.
 * A wasted tool call costs
 * - its share of the model call that issued it (the transcript's link, else the
 *   latest model call before it in its thread), split evenly over the tool
 *   calls that model call issued; plus
 * - carrying its result in every later request of its thread: result tokens
 *   (bytes / 4, so the figure is marked estimated) × each later call's price
 *   per token, the cache-read price when that call read from the cache, else
 *   the input price. A later request carries no more than it was sent: when
 *   the wasted results before it add up to more than its context (input, cache
 *   read and cache write tokens, as reported), each is scaled down to fit, so
 *   carried waste never exceeds what those requests were billed for.
 */
export const WASTE_KINDS = ['failed_retry', 'repeated_call', 'ping_pong', 'edit_revert', 'redundant_read', 'repeated_search', 'failed_tool', 'failed_model'] as const;
export type WasteKind = (typeof WASTE_KINDS)[number];

export type Evidence = 'known' | 'partial';

export interface ClassifyOptions {
  /** Identical consecutive calls that make a loop. @default 3 */
  minRepeat?: number;
  /** Prices of later requests, for the cost of carrying a wasted result. @default DEFAULT_PRICES */
  prices?: PriceTable;
}

/** The classifier's verdict on one wasted call. */
export interface Verdict {
  spanId: string;
  kind: WasteKind;
  /** The call(s) this one repeats: two for ping-pong, none for plain failures, else one. */
  anchorSpanIds: string[];
  /** Same for every call of one finding: session, kind and anchors. */
  findingId: string;
  evidence: Evidence;
  /** Issuer share plus carried tokens. */
  tokens: number;
  /** issuerUsd + carriedUsd. */
  costUsd: number;
  /** The share of the model call that issued it (a failed model call: its own cost). */
  issuerUsd: number;
  /** Carrying its result in the thread's later requests. */
  carriedUsd: number;
  /** Part of the figure rests on an estimate (result tokens from bytes, or no issuing call known). */
  estimated: boolean;
}

const MODIFIES = new Set(['edit', 'write', 'delete']);

interface Issuer {
  tokens: number;
  costUsd: number;
  issued: number;
}

export function classifySession(spans: readonly SessionSpan[], options: ClassifyOptions = {}): Verdict[] {
  const minRepeat = options.minRepeat ?? ANALYSIS_DEFAULTS.minRepeat;
  if (!Number.isInteger(minRepeat) || minRepeat < 2) throw new RangeError(`minRepeat must be an integer >= 2, got ${minRepeat}`);
  const prices = options.prices ?? DEFAULT_PRICES;
  const calls = spans.filter(isCall);
  const n = calls.length;
  const kind = new Array<WasteKind | undefined>(n);
  const anchors = new Array<string[]>(n);
  const evidence = new Array<Evidence>(n);
  const mark = (i: number, k: WasteKind, a: string[], e: Evidence) => {
    if (kind[i] === undefined) {
      kind[i] = k;
      anchors[i] = a;
      evidence[i] = e;
    }
  };
  const isModel = (i: number) => calls[i]!.type === 'llm';
  const tools: number[] = [];
  for (let i = 0; i < n; i++) if (!isModel(i)) tools.push(i);
  const known = calls.map(knownIdentity);
  const partial = calls.map((c, i) => (known[i] === '' && !isModel(i) && c.inputSize > 0 ? `${c.toolName}\u0000${c.inputSize}` : ''));
  // Prefix counts: calls before i that modify files, and that may change anything (modifications plus shell commands not known to be read-only).
  const modified = prefixCount(calls, (c) => MODIFIES.has(c.toolKind));
  const unknownEffect = (c: SessionSpan) => c.toolKind === 'shell' && !changesNothing(c.commandKey);
  const mayChange = prefixCount(calls, (c) => MODIFIES.has(c.toolKind) || unknownEffect(c));
  // Shell commands of unknown effect alone: a read's own file and a search's epoch already account for known edits.
  const shellMayChange = prefixCount(calls, unknownEffect);
  const between = (counts: number[], a: number, b: number) => counts[b]! - counts[a + 1]!;

  // Failed retries: per command (else call), a failure right after a failure of the same call with nothing between that could change the outcome.
  const retryKey = (i: number) => (calls[i]!.commandKey ? `cmd\u0000${calls[i]!.toolName}\u0000${calls[i]!.commandKey}` : known[i] || (partial[i] ? `p\u0000${partial[i]}` : ''));
  for (const group of groupBy(tools.filter((i) => retryKey(i) !== ''), retryKey)) {
    const isPartial = known[group[0]!] === '';
    let first = group[0]!;
    for (let j = 1; j < group.length; j++) {
      const prev = group[j - 1]!;
      const cur = group[j]!;
      const retried = !calls[prev]!.success && !calls[cur]!.success && between(mayChange, prev, cur) === 0;
      if (retried) mark(cur, 'failed_retry', [calls[first]!.spanId], isPartial ? 'partial' : 'known');
      else first = cur;
    }
  }

  // Per agent thread: the issuing model call of each tool call, identical runs, ping-pong.
  const thread = threadsOf(spans, calls);
  const issuer = new Array<Issuer | undefined>(n);
  const issuerIndex = new Array<number | undefined>(n);
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) byId.set(calls[i]!.spanId, i);
  const issuers = new Map<number, Issuer>();
  const issuerOf = (m: number) => {
    let x = issuers.get(m);
    if (!x) issuers.set(m, (x = { tokens: tokensOf(calls[m]!), costUsd: calls[m]!.costUsd, issued: 0 }));
    return x;
  };
  for (const members of groupBy(range(n), (i) => thread[i]!)) {
    let latest: number | undefined;
    const threadTools: number[] = [];
    for (const i of members) {
      if (isModel(i)) {
        latest = i;
        continue;
      }
      const linked = calls[i]!.issuerSpanId ? byId.get(calls[i]!.issuerSpanId) : undefined;
      const m = linked !== undefined && isModel(linked) ? linked : latest;
      if (m !== undefined) {
        const x = issuerOf(m);
        x.issued++;
        issuer[i] = x;
        issuerIndex[i] = m;
      }
      threadTools.push(i);
    }
    // Identical runs: by known identity, else (partial) by tool, argument and result bytes and outcome.
    const runKey = (j: number) => {
      const i = threadTools[j]!;
      if (known[i]) return known[i];
      if (!partial[i]) return `unknown\u0000${calls[i]!.spanId}`;
      return `p\u0000${partial[i]}\u0000${calls[i]!.resultSize}\u0000${calls[i]!.success}`;
    };
    for (let s = 0; s < threadTools.length; ) {
      let e = s;
      while (e + 1 < threadTools.length && runKey(e + 1) === runKey(s)) e++;
      if (e - s + 1 >= minRepeat) {
        const ev: Evidence = known[threadTools[s]!] ? 'known' : 'partial';
        for (let j = s + 1; j <= e; j++) mark(threadTools[j]!, 'repeated_call', [calls[threadTools[s]!]!.spanId], ev);
      }
      s = e + 1;
    }
    const key = (j: number) => known[threadTools[j]!] || `unknown\u0000${calls[threadTools[j]!]!.spanId}`;
    const pingPong = (j: number) => j >= 2 && key(j) === key(j - 2) && key(j) !== key(j - 1) && !key(j).startsWith('unknown\u0000');
    for (let s = 0; s < threadTools.length; ) {
      if (!pingPong(s)) {
        s++;
        continue;
      }
      let e = s;
      while (e + 1 < threadTools.length && pingPong(e + 1)) e++;
      if (e - s + 1 >= 2) {
        const a = [calls[threadTools[s - 2]!]!.spanId, calls[threadTools[s - 1]!]!.spanId];
        for (let j = s; j <= e; j++) mark(threadTools[j]!, 'ping_pong', a, 'known');
      }
      s = e + 1;
    }
  }

  // Per file: an edit undoing the previous edit; reads since the file last changed.
  const byFile = new Map<string, number[]>();
  for (const i of tools) for (const f of filesOf(calls[i]!)) push(byFile, f, i);
  for (const events of byFile.values()) {
    let previousEdit: SessionSpan | undefined;
    let reads: number[] = [];
    for (const i of events) {
      const c = calls[i]!;
      if (MODIFIES.has(c.toolKind)) reads = [];
      if (c.toolKind === 'edit') {
        const p = previousEdit;
        if (p && c.editOldHash !== '' && c.editOldHash !== c.editNewHash && c.editOldHash === p.editNewHash && c.editNewHash === p.editOldHash) mark(i, 'edit_revert', [p.spanId], 'known');
        previousEdit = c;
      }
      if (c.toolKind === 'read' && c.success) {
        const [start, end] = readRange(c);
        const overlap = reads.find((r) => readRange(calls[r]!)[0] <= end && start <= readRange(calls[r]!)[1]);
        const anchor = overlap ?? (c.fileUnchanged && reads.length > 0 ? reads[reads.length - 1] : undefined);
        if (anchor !== undefined) mark(i, 'redundant_read', [calls[anchor]!.spanId], between(shellMayChange, anchor, i) === 0 ? 'known' : 'partial');
        reads.push(i);
      }
    }
  }

  // Searches repeated with no file changed since the first.
  const firstSearch = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = calls[i]!;
    if (isModel(i) || c.searchKey === '' || !c.success) continue;
    const k = `${modified[i]}\u0000${c.searchKey}`;
    const first = firstSearch.get(k);
    if (first === undefined) firstSearch.set(k, i);
    else mark(i, 'repeated_search', [calls[first]!.spanId], between(shellMayChange, first, i) === 0 ? 'known' : 'partial');
  }

  // Partial evidence: reads and searches known only by tool, argument bytes and result bytes.
  const lastSeen = new Map<string, number>();
  for (const i of tools) {
    const c = calls[i]!;
    if (!partial[i] || !c.success || (c.toolKind !== 'read' && c.toolKind !== 'search')) continue;
    const k = `${partial[i]}\u0000${mayChange[i]}`;
    const earlier = lastSeen.get(k);
    if (earlier !== undefined && (calls[earlier]!.resultSize === c.resultSize || c.fileUnchanged)) mark(i, c.toolKind === 'read' ? 'redundant_read' : 'repeated_search', [calls[earlier]!.spanId], 'partial');
    if (earlier === undefined) lastSeen.set(k, i);
  }

  for (let i = 0; i < n; i++) if (!calls[i]!.success) mark(i, isModel(i) ? 'failed_model' : 'failed_tool', [], 'known');

  // What each model call is already charged as waste: its whole cost when it failed, else its share of the wasted calls it issued.
  const chargedUsd = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    if (kind[i] === undefined) continue;
    if (isModel(i)) chargedUsd[i] = calls[i]!.costUsd;
    else if (issuerIndex[i] !== undefined) chargedUsd[issuerIndex[i]!]! += issuer[i]!.costUsd / issuer[i]!.issued;
  }
  const carry = carriedCosts(calls, thread, prices, (i) => kind[i] !== undefined && !isModel(i), chargedUsd);
  const sessionId = calls[0]?.sessionId ?? '';
  const verdicts: Verdict[] = [];
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (k === undefined) continue;
    const c = calls[i]!;
    const a = anchors[i]!;
    const base = { spanId: c.spanId, kind: k, anchorSpanIds: a, findingId: findingIdOf(sessionId, k, a), evidence: evidence[i]! };
    if (isModel(i)) {
      verdicts.push({ ...base, tokens: tokensOf(c), costUsd: c.costUsd, issuerUsd: c.costUsd, carriedUsd: 0, estimated: false });
      continue;
    }
    const iss = issuer[i];
    const issuerUsd = iss ? iss.costUsd / iss.issued : 0;
    const issuerTokens = iss ? Math.floor(iss.tokens / iss.issued) : 0;
    const resultTokens = Math.ceil(c.resultSize / 4);
    const later = carry.get(i) ?? { calls: 0, tokens: 0, usd: 0 };
    const carriedUsd = later.usd;
    verdicts.push({
      ...base,
      tokens: issuerTokens + later.tokens,
      costUsd: issuerUsd + carriedUsd,
      issuerUsd,
      carriedUsd,
      estimated: iss === undefined || (resultTokens > 0 && later.calls > 0),
    });
  }
  return verdicts;
}

/** What makes two calls the same call, from their arguments; '' when the arguments are unknown (a model call, or a harness that sent none). */
export function knownIdentity(c: SessionSpan): string {
  if (c.type === 'llm') return '';
  if (c.argsHash) return `${c.toolName}\u0000${c.argsHash}`;
  if (!c.commandKey && !c.filePath && !c.searchKey) return '';
  return `${c.toolName}\u0000${c.commandKey}\u0000${c.filePath}\u0000${c.searchKey}\u0000${c.readOffset}:${c.readLimit}`;
}

/**
 * Each call's agent thread: its parent when that parent is an agent or session
 * span of the session (our SDK nests an agent's calls under it), else the
 * session's main thread. Harness telemetry hangs calls under internal spans
 * (Codex turns, Gemini tool schedulers) or under none: those are one thread.
 */
function threadsOf(spans: readonly SessionSpan[], calls: readonly SessionSpan[]): string[] {
  const structural = new Set<string>();
  for (const s of spans) if (s.type === 'agent' || s.type === 'session') structural.add(s.spanId);
  return calls.map((c) => (structural.has(c.parentSpanId) ? c.parentSpanId : ''));
}

/**
 * For each wasted tool call: the model calls after it in its thread, and the
 * tokens and $ of its result carried in them (cache-read price when the call
 * read from the cache, else the input price; an unpriced model adds nothing).
 * A later call carries at most its own context, and is charged at most what
 * it cost less what it is already charged as waste: where the wasted results
 * before it exceed either, each one's share is scaled down to fit.
 */
function carriedCosts(calls: readonly SessionSpan[], thread: readonly string[], prices: PriceTable, wasted: (i: number) => boolean, chargedUsd: readonly number[]): Map<number, { calls: number; tokens: number; usd: number }> {
  const resultTokens = (i: number) => Math.ceil(calls[i]!.resultSize / 4);
  // Forward: each model call's fit (the share of each wasted result before it that it is charged for) and price per token.
  const fit = new Array<number>(calls.length).fill(0);
  const usdPerToken = new Array<number>(calls.length).fill(0);
  const demand = new Map<string, number>();
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const t = thread[i]!;
    if (c.type === 'llm') {
      const sent = demand.get(t) ?? 0;
      const price = findPrice(c.model, prices);
      usdPerToken[i] = price ? (c.cacheReadTokens > 0 ? price.cacheRead : price.input) / 1e6 : 0;
      const context = c.inputTokens + c.cacheReadTokens + c.cacheWriteTokens;
      const budgetUsd = Math.max(0, c.costUsd - chargedUsd[i]!);
      const fitContext = sent > 0 ? Math.min(1, context / sent) : 1;
      const fitBill = sent > 0 && usdPerToken[i]! > 0 ? Math.min(1, budgetUsd / (sent * usdPerToken[i]!)) : 1;
      fit[i] = Math.min(fitContext, fitBill);
    } else if (wasted(i)) demand.set(t, (demand.get(t) ?? 0) + resultTokens(i));
  }
  // Backward: per thread, the model calls after each point and the sums of their fits (tokens) and fits × prices ($).
  const out = new Map<number, { calls: number; tokens: number; usd: number }>();
  const after = new Map<string, { calls: number; fit: number; usd: number }>();
  for (let i = calls.length - 1; i >= 0; i--) {
    const t = thread[i]!;
    const acc = after.get(t) ?? { calls: 0, fit: 0, usd: 0 };
    if (calls[i]!.type === 'llm') after.set(t, { calls: acc.calls + 1, fit: acc.fit + fit[i]!, usd: acc.usd + fit[i]! * usdPerToken[i]! });
    else if (wasted(i)) out.set(i, { calls: acc.calls, tokens: Math.round(resultTokens(i) * acc.fit), usd: resultTokens(i) * acc.usd });
  }
  return out;
}

function prefixCount(calls: readonly SessionSpan[], test: (c: SessionSpan) => boolean): number[] {
  const out = new Array<number>(calls.length + 1);
  out[0] = 0;
  for (let i = 0; i < calls.length; i++) out[i + 1] = out[i]! + (calls[i]!.type !== 'llm' && test(calls[i]!) ? 1 : 0);
  return out;
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
