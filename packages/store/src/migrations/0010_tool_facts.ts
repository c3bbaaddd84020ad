import type { Migration } from './migration.js';

/** Frozen: tool facts decided at ingest (kind, files, command and search identity, edit fingerprint, input size). Never edit. */
export const migration0010: Migration = {
  id: 10,
  name: 'tool_facts',
  statements: () => [
    `ALTER TABLE spans
  ADD COLUMN IF NOT EXISTS ToolKind LowCardinality(String),
  ADD COLUMN IF NOT EXISTS FilePaths Array(String),
  ADD COLUMN IF NOT EXISTS CommandKey String,
  ADD COLUMN IF NOT EXISTS SearchKey String,
  ADD COLUMN IF NOT EXISTS EditOldHash String,
  ADD COLUMN IF NOT EXISTS EditNewHash String,
  ADD COLUMN IF NOT EXISTS InputSize UInt64`,
  ],
};
