import type { SpanRow } from '@fulcrum/store';
import { sanitiseDerived, sanitiseRows, type SanitiseOptions } from './sanitise.js';
import { finishToolFacts } from './tool-facts.js';

/**
 * The last step before span rows are written or spooled, for every source
 * (OTLP routes and transcript import): caps and redacts them (sanitiseRows),
 * then decides each tool call's facts (finishToolFacts). Facts come after
 * redaction so the keys they derive from the command, pattern and path hold
 * nothing the stored columns do not; the derived columns then go through the
 * same caps (a key joins or reshapes clean text, and may outgrow the cap).
 */
export function finishRows(rows: readonly SpanRow[], options: SanitiseOptions): void {
  sanitiseRows(rows, options);
  for (const row of rows) finishToolFacts(row);
  sanitiseDerived(rows, options);
}
