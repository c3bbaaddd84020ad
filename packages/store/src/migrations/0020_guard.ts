import type { Migration } from './migration.js';

/**
 * Frozen: guard interventions (issue 14). Never edit.
 * - spans: what a `fulcrum.guard` span says, decided once at ingest (the
 *   policy that acted, its decision, the estimated dollars a refused call saved);
 * - session_summaries: the session's interventions, materialised by the engine
 *   (calls denied or stopped and their estimated saving, warnings given).
 */
export const migration0020: Migration = {
  id: 20,
  name: 'guard',
  statements: () => [
    `ALTER TABLE spans
  ADD COLUMN IF NOT EXISTS GuardPolicy LowCardinality(String),
  ADD COLUMN IF NOT EXISTS GuardDecision LowCardinality(String),
  ADD COLUMN IF NOT EXISTS GuardSavedUsd Float64`,
    `ALTER TABLE session_summaries
  ADD COLUMN IF NOT EXISTS PreventedCalls UInt32,
  ADD COLUMN IF NOT EXISTS PreventedUsd Float64,
  ADD COLUMN IF NOT EXISTS GuardWarnings UInt32`,
  ],
};
