import { knownIdentity, WASTE_KINDS, type Verdict, type WasteKind } from './classify.js';
import { delegationOf, type Delegation } from './delegation.js';
import { guardOutcome, isCall, isGuard, tokensOf, type SessionSpan } from './span.js';

/** Budgets and spike detection for runaway spend, per window of a session. */
export interface RunawayOptions {
  /** Window a session's spend is judged over, in minutes. @default 60 */
  sessionWindowMinutes?: number;
  /** Window a team's spend is judged over, in minutes (a multiple of the session window). @default 1440 */
  teamWindowMinutes?: number;
  /** A session spending more than this in one window is a runaway; 0 = no budget. @default 25 */
  sessionBudgetUsd?: number;
  /** A session making more calls than this in one window is a runaway; 0 = no budget. @default 600 */
  sessionCallBudget?: number;
  /** A team spending more than this in one window is a runaway; 0 = no budget. @default 0 */
  teamBudgetUsd?: number;
  /** A window above this multiple of its own trailing median is a spike. @default 3 */
  spikeMultiple?: number;
  /** Earlier windows the trailing median is taken over. @default 7 */
  history?: number;
  /** Fewest earlier windows before a spike can be judged. @default 3 */
  minHistory?: number;
}

export const RUNAWAY_DEFAULTS: Required<RunawayOptions> = {
  sessionWindowMinutes: 60, teamWindowMinutes: 1440, sessionBudgetUsd: 25, sessionCallBudget: 600,
  teamBudgetUsd: 0, spikeMultiple: 3, history: 7, minHistory: 3,
};

export type RunawayReason = 'spend_budget' | 'call_budget' | 'spend_spike' | 'call_spike';

export interface SpendWindow {
  startMs: number;
  spendUsd: number;
  calls: number;
}

export interface RunawayWindow extends SpendWindow {
  /** Earlier windows the median was taken over. */
  history: number;
  medianSpendUsd: number | null;
  medianCalls: number | null;
  reasons: RunawayReason[];
}

export interface WasteByKind {
  kind: WasteKind;
  findings: number;
  spans: number;
  tokens: number;
  costUsd: number;
  estimated: boolean;
}

/** What one session amounts to: dimensions, spend, tokens, activity, waste and runaway windows. */
export interface SessionSummary {
  sessionId: string;
  startNs: string;
  endNs: string;
  team: string;
  repository: string;
  harness: string;
  useCase: string;
  userId: string;
  spendUsd: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  tokens: number;
  modelCalls: number;
  toolCalls: number;
  failures: number;
  spans: number;
  linesAdded: number;
  linesRemoved: number;
  /** Edits that change existing lines, and deletions. */
  refactors: number;
  skills: number;
  mcp: number;
  /** Waste on known evidence: the headline. */
  wasteUsd: number;
  wasteTokens: number;
  wasteSpans: number;
  waste: WasteByKind[];
  /** Waste asserted on partial evidence only: listed apart, never in wasteUsd. */
  partialWasteUsd: number;
  partialWasteSpans: number;
  partialWaste: WasteByKind[];
  /** Tool calls whose arguments the harness did not send (no argument bytes either for some): no rule can prove them repeats. */
  unverifiableCalls: number;
  /** The harness setting that would make them verifiable; '' when none is known. */
  evidenceHint: string;
  /** Where the line counts came from: 'spans', 'metrics' (the harness's own counter) or '' when neither had any. */
  linesSource: '' | 'spans' | 'metrics';
  commits: number;
  pullRequests: number;
  windows: SpendWindow[];
  runaways: RunawayWindow[];
  /** Prompts, longest autonomous run, rejected calls and level (engine/delegation.ts). */
  delegation: Delegation;
  /** The harness's own active time (Claude Code's active_time.total), seconds: type=cli (the agent) and type=user (the human); 0 when not reported. */
  agentActiveSeconds: number;
  humanActiveSeconds: number;
  /** Calls the guard denied or stopped (`fulcrum.guard` spans with a known policy). */
  preventedCalls: number;
  /** The guard's estimate of what those calls would have cost, USD: an estimate, never in spendUsd or wasteUsd. */
  preventedUsd: number;
  /** Calls the guard allowed with a warning to the model. */
  guardWarnings: number;
}

/** The harness's own counters for a session (session_metrics), summed. */
export interface SessionCounters {
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  /** Claude Code's active_time.total with type=cli: the agent working. @default 0 */
  agentActiveSeconds?: number;
  /** Claude Code's active_time.total with type=user: the human at the keyboard. @default 0 */
  humanActiveSeconds?: number;
}

/** Settings that make a harness send tool arguments, by harness. */
const EVIDENCE_HINTS: Record<string, string> = { 'claude-code': 'OTEL_LOG_TOOL_DETAILS=1' };

const earlier = (a: string, b: string) => a.length < b.length || (a.length === b.length && a < b);

/** Sums one session's spans and verdicts. Spans in session order; verdicts from classifySession. */
export function summariseSession(spans: readonly SessionSpan[], verdicts: readonly Verdict[], options: RunawayOptions = {}, counters?: SessionCounters): SessionSummary {
  const o = { ...RUNAWAY_DEFAULTS, ...options };
  // Guard spans record decisions, not work: they count as interventions only, never as spans, spend, calls or time.
  const work = spans.filter((sp) => !isGuard(sp));
  const s: SessionSummary = {
    sessionId: spans[0]?.sessionId ?? '', startNs: (work[0] ?? spans[0])?.startNs ?? '0', endNs: work.length > 0 ? '0' : (spans.at(-1)?.endNs ?? '0'),
    team: '', repository: '', harness: '', useCase: '', userId: '',
    spendUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, tokens: 0,
    modelCalls: 0, toolCalls: 0, failures: 0, spans: work.length,
    linesAdded: 0, linesRemoved: 0, refactors: 0, skills: 0, mcp: 0,
    wasteUsd: 0, wasteTokens: 0, wasteSpans: 0, waste: [], partialWasteUsd: 0, partialWasteSpans: 0, partialWaste: [],
    unverifiableCalls: 0, evidenceHint: '', linesSource: '', commits: 0, pullRequests: 0, windows: [], runaways: [],
    delegation: { prompts: 0, promptSource: '', longestRunCalls: 0, longestRunSeconds: 0, rejectedCalls: 0, level: '' },
    agentActiveSeconds: counters?.agentActiveSeconds ?? 0, humanActiveSeconds: counters?.humanActiveSeconds ?? 0,
    preventedCalls: 0, preventedUsd: 0, guardWarnings: 0,
  };
  let vcsCommits = 0;
  const windowMs = o.sessionWindowMinutes * 60_000;
  const windows = new Map<number, SpendWindow>();
  for (const sp of spans) {
    if (isGuard(sp)) {
      countIntervention(s, sp);
      continue;
    }
    if (earlier(sp.startNs, s.startNs)) s.startNs = sp.startNs;
    if (earlier(s.endNs, sp.endNs)) s.endNs = sp.endNs;
    s.team ||= sp.team;
    s.repository ||= sp.repository;
    s.harness ||= sp.harness;
    s.useCase ||= sp.useCase;
    s.userId ||= sp.userId;
    s.spendUsd += sp.costUsd;
    s.inputTokens += sp.inputTokens;
    s.outputTokens += sp.outputTokens;
    s.cacheReadTokens += sp.cacheReadTokens;
    s.cacheWriteTokens += sp.cacheWriteTokens;
    const call = isCall(sp);
    if (sp.type === 'llm') {
      s.modelCalls++;
      if (!sp.priced) s.unpricedCalls++;
    }
    if (sp.type === 'tool' || sp.type === 'mcp') {
      s.toolCalls++;
      s.linesAdded += sp.linesAdded;
      s.linesRemoved += sp.linesRemoved;
      if (knownIdentity(sp) === '') s.unverifiableCalls++;
      if (sp.vcsAction === 'commit' && sp.success) vcsCommits++;
    }
    if (call && !sp.success) s.failures++;
    if (sp.type === 'tool' && ((sp.toolKind === 'edit' && sp.linesRemoved > 0) || sp.toolKind === 'delete')) s.refactors++;
    if (sp.type === 'skill' || sp.skillName !== '') s.skills++;
    if (sp.type === 'mcp') s.mcp++;
    const start = Math.floor(sp.startMs / windowMs) * windowMs;
    let w = windows.get(start);
    if (!w) windows.set(start, (w = { startMs: start, spendUsd: 0, calls: 0 }));
    w.spendUsd += sp.costUsd;
    if (call) w.calls++;
  }
  // The guard's team, repository and harness (from the same user settings) fill only what no other span named.
  for (const sp of spans.length > work.length ? spans : []) {
    if (!isGuard(sp)) continue;
    s.team ||= sp.team;
    s.repository ||= sp.repository;
    s.harness ||= sp.harness;
  }
  s.tokens = s.inputTokens + s.outputTokens + s.cacheReadTokens + s.cacheWriteTokens;
  s.windows = [...windows.values()].sort((a, b) => a.startMs - b.startMs);
  s.runaways = runawayWindows(s.windows, o.sessionBudgetUsd, o.sessionCallBudget, o);

  s.evidenceHint = s.unverifiableCalls > 0 ? (EVIDENCE_HINTS[s.harness] ?? '') : '';
  // Lines from one source only, never both: the spans' own counts when any call carried some, else the harness's counter.
  if (s.linesAdded + s.linesRemoved > 0) s.linesSource = 'spans';
  else if (counters && counters.linesAdded + counters.linesRemoved > 0) {
    s.linesSource = 'metrics';
    s.linesAdded = Math.round(counters.linesAdded);
    s.linesRemoved = Math.round(counters.linesRemoved);
  }
  s.commits = counters && counters.commits > 0 ? Math.round(counters.commits) : vcsCommits;
  s.pullRequests = Math.round(counters?.pullRequests ?? 0);
  s.delegation = delegationOf(spans, s.toolCalls);

  const known = verdicts.filter((v) => v.evidence === 'known');
  const partial = verdicts.filter((v) => v.evidence !== 'known');
  s.waste = byKindOf(known);
  s.wasteSpans = known.length;
  for (const v of known) {
    s.wasteUsd += v.costUsd;
    s.wasteTokens += v.tokens;
  }
  s.partialWaste = byKindOf(partial);
  s.partialWasteSpans = partial.length;
  for (const v of partial) s.partialWasteUsd += v.costUsd;
  return s;
}

/** One guard span into the session's interventions. */
function countIntervention(s: SessionSummary, sp: SessionSpan): void {
  const outcome = guardOutcome(sp);
  if (outcome === 'prevented') {
    s.preventedCalls++;
    s.preventedUsd += sp.guardSavedUsd;
  } else if (outcome === 'warned') s.guardWarnings++;
}

function byKindOf(verdicts: readonly Verdict[]): WasteByKind[] {
  const byKind = new Map<WasteKind, WasteByKind & { ids: Set<string> }>();
  for (const v of verdicts) {
    let k = byKind.get(v.kind);
    if (!k) byKind.set(v.kind, (k = { kind: v.kind, findings: 0, spans: 0, tokens: 0, costUsd: 0, estimated: false, ids: new Set() }));
    k.ids.add(v.findingId);
    k.spans++;
    k.tokens += v.tokens;
    k.costUsd += v.costUsd;
    k.estimated ||= v.estimated;
  }
  return WASTE_KINDS.filter((k) => byKind.has(k)).map((k) => {
    const { ids, ...w } = byKind.get(k)!;
    return { ...w, findings: ids.size };
  });
}

/**
 * Windows over budget or spiking above their own trailing median (the median
 * of up to `history` earlier windows, upper middle for an even count).
 */
export function runawayWindows(windows: readonly SpendWindow[], budgetUsd: number, callBudget: number, options: RunawayOptions = {}): RunawayWindow[] {
  const o = { ...RUNAWAY_DEFAULTS, ...options };
  const out: RunawayWindow[] = [];
  windows.forEach((w, i) => {
    const past = windows.slice(Math.max(0, i - o.history), i);
    const median = (xs: number[]) => (xs.length === 0 ? null : xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
    const medianSpendUsd = median(past.map((p) => p.spendUsd));
    const medianCalls = median(past.map((p) => p.calls));
    const judged = past.length >= o.minHistory;
    const reasons: RunawayReason[] = [];
    if (budgetUsd > 0 && w.spendUsd > budgetUsd) reasons.push('spend_budget');
    if (callBudget > 0 && w.calls > callBudget) reasons.push('call_budget');
    if (judged && w.spendUsd > o.spikeMultiple * medianSpendUsd!) reasons.push('spend_spike');
    if (judged && w.calls > o.spikeMultiple * medianCalls!) reasons.push('call_spike');
    if (reasons.length > 0) out.push({ ...w, history: past.length, medianSpendUsd, medianCalls, reasons });
  });
  return out;
}
