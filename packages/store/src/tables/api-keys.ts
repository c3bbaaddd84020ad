import { t } from '../schema/column-types.js';
import { col, defineTable } from '../schema/table.js';

/**
 * API keys, one row per key and state change. Only a SHA-256 of the secret is
 * stored, so a leaked table grants nothing. ReplacingMergeTree(Version) keeps
 * the latest state of each key (a revocation is a newer row).
 */
export const API_KEYS = defineTable({
  name: 'api_keys',
  columns: {
    KeyId: col(t.string),
    Project: col(t.lowString),
    Name: col(t.string),
    SecretSha256: col(t.string),
    CreatedAt: col(t.millis),
    RevokedAt: col(t.nullableMillis),
    Version: col(t.uint64),
  },
  engine: 'ReplacingMergeTree(Version)',
  orderBy: 'KeyId',
});

export const API_KEYS_TABLE = API_KEYS.name;
export const API_KEY_COLUMNS = API_KEYS.insertColumns;

export function apiKeysTableDdl(table = API_KEYS_TABLE): string {
  return API_KEYS.createSql(table);
}
