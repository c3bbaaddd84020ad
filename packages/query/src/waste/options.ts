/** Tunables of waste detection. */
export interface WasteOptions {
  /** Identical consecutive calls that make a loop. @default 3 */
  minRepeat?: number;
  /** Sessions returned with their findings, worst first. @default 10 */
  worstSessions?: number;
}

export const WASTE_DEFAULTS: Required<WasteOptions> = { minRepeat: 3, worstSessions: 10 };

/**
 * Waste categories, in priority order: a span that is both a failed retry and
 * part of an identical run is counted once, under the first that applies, so
 * category totals add up to the session's waste.
 */
export const WASTE_KINDS = [
  'failed_retry',
  'repeated_call',
  'ping_pong',
  'edit_revert',
  'redundant_read',
  'repeated_search',
  'failed_tool',
  'failed_model',
] as const;

export type WasteKind = (typeof WASTE_KINDS)[number];

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
  /** True when tokens were estimated from result size (bytes / 4), not reported. */
  estimated: boolean;
  toolName: string;
  filePath: string;
  command: string;
  /** Start of the first wasted span, ISO 8601. */
  at: string;
}
