import type { Evidence, WasteKind } from '../engine/classify.js';

/** Tunables of the waste report. */
export interface WasteOptions {
  /** Sessions returned with their findings, worst first. @default 10 */
  worstSessions?: number;
}

export const WASTE_DEFAULTS: Required<WasteOptions> = { worstSessions: 10 };

/** One finding: the anchor span(s) it repeats and the wasted spans that repeat them. */
export interface Finding {
  sessionId: string;
  kind: WasteKind;
  /** The first occurrence(s): not waste themselves. Empty for plain failures. */
  anchorSpanIds: string[];
  /** The repeated or failed spans, in time order: the waste. */
  wasteSpanIds: string[];
  tokens: number;
  costUsd: number;
  /** True when part of the figure rests on an estimate (result tokens from bytes / 4, or no issuing call known). */
  estimated: boolean;
  /** 'known': the arguments show the calls are the same; 'partial': only sizes, outcomes and order do (never in headline totals). */
  evidence: Evidence;
  toolName: string;
  filePath: string;
  command: string;
  /** Start of the first wasted span, ISO 8601. */
  at: string;
}
