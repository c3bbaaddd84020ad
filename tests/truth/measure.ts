import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_WEIGHTS } from '@fulcrum/query';
import { rows } from '../harness/replay.js';

/**
 * Scores the engine against hand-labelled recordings of the real harnesses
 * (tests/fixtures/real-clients/labelled): every tool call of the scripted
 * session is labelled waste (with its kind) or clean, by call id.
 */

export interface LabelledCall {
  step: number;
  tool: string;
  callId: string;
  target: string;
  waste: string | null;
  anchorStep?: number;
}

export interface Labels {
  harness: string;
  setting: string;
  sessionId: string;
  calls: LabelledCall[];
  harnessTotals: { costUsd: number | null; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; modelCalls: number };
}

export function readLabels(dir: string): Labels {
  return JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Labels;
}

/** One verdict on a labelled call. */
export interface Flag {
  step: number;
  kind: string;
  evidence: string;
  costUsd: number;
  issuerUsd: number;
  carriedUsd: number;
  /** The label: the call's true waste kind, or null when it was clean. */
  truth: string | null;
}

export interface Score {
  flags: Flag[];
  /** Flagged calls that are waste / all flagged calls; null when nothing was flagged. */
  precision: number | null;
  /** Labelled waste that was flagged / all labelled waste. */
  recall: number;
  /** Flagged waste whose kind matches the label / flagged waste. */
  kindAgreement: number | null;
}

/** Scores the flags of one evidence level (known: the headline; all: known and partial). */
export function score(flags: readonly Flag[], labels: Labels, level: 'known' | 'all'): Score {
  const chosen = flags.filter((f) => level === 'all' || f.evidence === 'known');
  const waste = labels.calls.filter((c) => c.waste !== null);
  const hits = chosen.filter((f) => f.truth !== null);
  return {
    flags: chosen,
    precision: chosen.length === 0 ? null : hits.length / chosen.length,
    recall: waste.length === 0 ? 1 : hits.length / waste.length,
    kindAgreement: hits.length === 0 ? null : hits.filter((f) => f.kind === f.truth).length / hits.length,
  };
}

/** The classifier's materialised verdicts on the labelled session's tool calls, in step order. */
export async function flagsOf(client: ClickHouseClient, labels: Labels): Promise<Flag[]> {
  const found = await rows<{ callId: string; kind: string; evidence: string; costUsd: number; issuerUsd: number; carriedUsd: number }>(
    client,
    `SELECT s.ToolCallId AS callId, v.Kind AS kind, v.Evidence AS evidence, v.CostUsd AS costUsd, v.IssuerUsd AS issuerUsd, v.CarriedUsd AS carriedUsd
FROM (SELECT * FROM span_verdicts FINAL WHERE SessionId = {s:String} AND Kind != '') AS v
JOIN (SELECT SpanId, ToolCallId FROM spans FINAL WHERE SessionId = {s:String}) AS s ON s.SpanId = v.SpanId`,
    { s: labels.sessionId },
  );
  const flags: Flag[] = [];
  for (const f of found) {
    const call = labels.calls.find((c) => c.callId === f.callId);
    // A verdict on a call the labels do not list (a model call) would be a false accusation too.
    flags.push({ step: call?.step ?? 0, kind: f.kind, evidence: f.evidence, costUsd: Number(f.costUsd), issuerUsd: Number(f.issuerUsd), carriedUsd: Number(f.carriedUsd), truth: call?.waste ?? null });
  }
  return flags.sort((a, b) => a.step - b.step);
}

export interface SessionFigures {
  spendUsd: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  modelCalls: number;
  linesAdded: number;
  linesRemoved: number;
  linesSource: string;
  leverage: number | null;
  unverifiableCalls: number;
  evidenceHint: string;
  unpricedCalls: number;
}

/** The session's summary as the engine materialised it; leverage with the default weights. */
export async function figuresOf(client: ClickHouseClient, sessionId: string): Promise<SessionFigures> {
  const [r] = await rows<Record<string, number | string>>(
    client,
    `SELECT SpendUsd, InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens, ModelCalls, LinesAdded, LinesRemoved, LinesSource, Refactors, Skills, Mcp,
  UnverifiableCalls, EvidenceHint, UnpricedCalls
FROM session_summaries FINAL WHERE SessionId = {s:String}`,
    { s: sessionId },
  );
  if (!r) throw new Error(`session ${sessionId} was not analysed`);
  const n = (k: string) => Number(r[k]);
  const w = DEFAULT_WEIGHTS;
  const activity = n('LinesAdded') * w.linesAdded + n('LinesRemoved') * w.linesRemoved + n('Refactors') * w.refactors + n('Skills') * w.skills + n('Mcp') * w.mcp;
  return {
    spendUsd: n('SpendUsd'),
    tokens: { input: n('InputTokens'), output: n('OutputTokens'), cacheRead: n('CacheReadTokens'), cacheWrite: n('CacheWriteTokens') },
    modelCalls: n('ModelCalls'),
    linesAdded: n('LinesAdded'),
    linesRemoved: n('LinesRemoved'),
    linesSource: String(r.LinesSource),
    leverage: n('SpendUsd') > 0 ? activity / n('SpendUsd') : null,
    unverifiableCalls: n('UnverifiableCalls'),
    evidenceHint: String(r.EvidenceHint),
    unpricedCalls: n('UnpricedCalls'),
  };
}

/**
 * The cost of the model call that issued each labelled call (by step), read
 * independently of the engine: each wasted call's issuer is the model call
 * just before it in the session (these scripted sessions make one tool call
 * per model response, so that is exact here).
 */
export async function issuingCosts(client: ClickHouseClient, labels: Labels): Promise<Map<number, number>> {
  const spans = await rows<{ type: string; callId: string; cost: number }>(
    client,
    `SELECT SpanType AS type, ToolCallId AS callId, CostUsd AS cost FROM spans FINAL
WHERE SessionId = {s:String} AND SpanType IN ('llm', 'tool', 'mcp') ORDER BY Timestamp, SpanId`,
    { s: labels.sessionId },
  );
  const steps = new Map(labels.calls.map((c) => [c.callId, c.step]));
  const out = new Map<number, number>();
  let last = 0;
  for (const s of spans) {
    if (s.type === 'llm') last = Number(s.cost);
    else if (steps.has(s.callId)) out.set(steps.get(s.callId)!, last);
  }
  return out;
}
