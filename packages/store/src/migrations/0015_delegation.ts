import type { Migration } from './migration.js';

/**
 * Frozen: how far each session ran without its human (issue "outcomes",
 * delegation level), materialised by the engine beside the rest of the
 * session's summary. Never edit. Definitions: docs/outcomes.md.
 * (0014 is taken by the git commit tables.)
 */
export const migration0015: Migration = {
  id: 15,
  name: 'delegation',
  statements: () => [
    `ALTER TABLE session_summaries
  ADD COLUMN IF NOT EXISTS Prompts UInt32,
  ADD COLUMN IF NOT EXISTS PromptSource LowCardinality(String),
  ADD COLUMN IF NOT EXISTS LongestRunCalls UInt32,
  ADD COLUMN IF NOT EXISTS LongestRunSeconds Float64,
  ADD COLUMN IF NOT EXISTS RejectedCalls UInt32,
  ADD COLUMN IF NOT EXISTS AgentActiveSeconds Float64,
  ADD COLUMN IF NOT EXISTS HumanActiveSeconds Float64,
  ADD COLUMN IF NOT EXISTS DelegationLevel LowCardinality(String)`,
  ],
};
