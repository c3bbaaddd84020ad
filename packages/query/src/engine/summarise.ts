import { WASTE_KINDS, type Verdict, type WasteKind } from './classify.js';
import { isCall, tokensOf, type SessionSpan } from './span.js';

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
  wasteUsd: number;
  wasteTokens: number;
  wasteSpans: number;
  waste: WasteByKind[];
  windows: SpendWindow[];
  runaways: RunawayWindow[];
}

const earlier = (a: string, b: string) => a.length < b.length || (a.length === b.length && a < b);

/** Sums one session's spans and verdicts. Spans in session order; verdicts from classifySession. */
export function summariseSession(spans: readonly SessionSpan[], verdicts: readonly Verdict[], options: RunawayOptions = {}): SessionSummary {
  const o = { ...RUNAWAY_DEFAULTS, ...options };
  const s: SessionSummary = {
    sessionId: spans[0]?.sessionId ?? '', startNs: spans[0]?.startNs ?? '0', endNs: '0',
    team: '', repository: '', harness: '', useCase: '', userId: '',
    spendUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, tokens: 0,
    modelCalls: 0, toolCalls: 0, failures: 0, spans: spans.length,
    linesAdded: 0, linesRemoved: 0, refactors: 0, skills: 0, mcp: 0,
    wasteUsd: 0, wasteTokens: 0, wasteSpans: verdicts.length, waste: [], windows: [], runaways: [],
  };
  const windowMs = o.sessionWindowMinutes * 60_000;
  const windows = new Map<number, SpendWindow>();
  for (const sp of spans) {
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
  s.tokens = s.inputTokens + s.outputTokens + s.cacheReadTokens + s.cacheWriteTokens;
  s.windows = [...windows.values()].sort((a, b) => a.startMs - b.startMs);
  s.runaways = runawayWindows(s.windows, o.sessionBudgetUsd, o.sessionCallBudget, o);

  const byKind = new Map<WasteKind, WasteByKind & { ids: Set<string> }>();
  for (const v of verdicts) {
    let k = byKind.get(v.kind);
    if (!k) byKind.set(v.kind, (k = { kind: v.kind, findings: 0, spans: 0, tokens: 0, costUsd: 0, estimated: false, ids: new Set() }));
    k.ids.add(v.findingId);
    k.spans++;
    k.tokens += v.tokens;
    k.costUsd += v.costUsd;
    k.estimated ||= v.estimated;
    s.wasteUsd += v.costUsd;
    s.wasteTokens += v.tokens;
  }
  s.waste = WASTE_KINDS.filter((k) => byKind.has(k)).map((k) => {
    const { ids, ...w } = byKind.get(k)!;
    return { ...w, findings: ids.size };
  });
  return s;
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
