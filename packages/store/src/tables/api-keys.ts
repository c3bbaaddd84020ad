/**
 * API keys, one row per key and state change. Only a SHA-256 of the secret is
 * stored, so a leaked table grants nothing. ReplacingMergeTree(Version) keeps
 * the latest state of each key (a revocation is a newer row).
 */
export const API_KEYS_TABLE = 'api_keys';

export function apiKeysTableDdl(table = API_KEYS_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  KeyId String,
  Project LowCardinality(String),
  Name String,
  SecretSha256 String,
  CreatedAt DateTime64(3),
  RevokedAt Nullable(DateTime64(3)),
  Version UInt64
) ENGINE = ReplacingMergeTree(Version)
ORDER BY KeyId`;
}

export const API_KEY_COLUMNS = ['KeyId', 'Project', 'Name', 'SecretSha256', 'CreatedAt', 'RevokedAt', 'Version'] as const;
