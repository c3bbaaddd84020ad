import { FULCRUM, GUARD_DECISIONS, GUARD_POLICIES, GUARD_SPAN_NAME } from '@fulcrum/vocab';
import type { SpanRow } from '@fulcrum/store';
import type { Attributes } from '../otlp/model.js';

/** A guard intervention (`fulcrum guard` sends one span per decision): told apart by its span name alone. */
export const isGuardSpan = (row: SpanRow): boolean => row.SpanName === GUARD_SPAN_NAME;

const oneOf = (list: readonly string[], v: string | undefined): string => (v !== undefined && list.includes(v) ? v : '');

/**
 * The guard columns of a `fulcrum.guard` span, decided once here: policy and
 * decision only from our own vocabulary ('' for anything else, so no reader
 * counts a decision it does not know), the saving only when it is a finite,
 * non-negative number (its upper bound is ingest's per-call cost bound,
 * applied with the other bounds in plausible.ts). Such a span is a record of
 * a decision, never a call: it is typed 'other' and costs nothing, whatever
 * its attributes say, so no spend, call count or waste rule sees it.
 */
export function fillGuard(row: SpanRow, a: Attributes): void {
  if (!isGuardSpan(row)) return;
  row.SpanType = 'other';
  row.CostUsd = 0;
  row.Priced = true;
  row.InputTokens = row.OutputTokens = row.CacheReadTokens = row.CacheWriteTokens = 0;
  row.GuardPolicy = oneOf(GUARD_POLICIES, a[FULCRUM.GUARD_POLICY]);
  row.GuardDecision = oneOf(GUARD_DECISIONS, a[FULCRUM.GUARD_DECISION]);
  const saved = Number(a[FULCRUM.GUARD_SAVED_USD] ?? '');
  row.GuardSavedUsd = a[FULCRUM.GUARD_SAVED_USD] !== undefined && a[FULCRUM.GUARD_SAVED_USD] !== '' && Number.isFinite(saved) && saved >= 0 ? saved : 0;
}
