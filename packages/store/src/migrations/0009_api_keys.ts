import type { Migration } from './migration.js';

/** Frozen: per-project API keys (SHA-256 of the secret only), as first released. Never edit; change the schema in a new migration. */
export const migration0009: Migration = {
  id: 9,
  name: 'api_keys',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS api_keys (
  KeyId String,
  Project LowCardinality(String),
  Name String,
  SecretSha256 String,
  CreatedAt DateTime64(3),
  RevokedAt Nullable(DateTime64(3)),
  Version UInt64
) ENGINE = ReplacingMergeTree(Version)
ORDER BY KeyId`,
  ],
};
