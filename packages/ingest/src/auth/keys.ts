import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { validProjectName } from '@fulcrum/vocab';
import type { ClickHouseClient } from '@clickhouse/client';
import { API_KEYS_TABLE, API_KEY_COLUMNS } from '@fulcrum/store';

const KEY_FORMAT = /^fk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyInfo {
  keyId: string;
  project: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface KeyRecord {
  project: string;
  secretSha256: Buffer;
  revoked: boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Versions order a key's rows in the ReplacingMergeTree. A revocation's version is
 * above every creation's whatever the clocks said (creations use milliseconds since
 * 1970, far below 2^62), so a clock stepping back can never resurrect a revoked key:
 * neither FINAL nor a background merge keeps the older, unrevoked row.
 */
const REVOKED_VERSION_BASE = 2n ** 62n;

/** A key's state across all its rows: revoked once any row says so, whichever version a merge keeps. */
const KEY_STATE = `SELECT KeyId, any(Project) AS Project, any(Name) AS Name, any(SecretSha256) AS SecretSha256, min(CreatedAt) AS CreatedAt, max(RevokedAt) AS RevokedAt
  FROM ${API_KEYS_TABLE} GROUP BY KeyId`;

/** Creates a key; the secret is returned once and only its hash is stored. */
export async function createApiKey(client: ClickHouseClient, project: string, name = ''): Promise<{ key: string; keyId: string; project: string }> {
  if (!validProjectName(project)) throw new Error(`invalid project name "${project}": use letters, digits, ".", "_" or "-" (at most 64)`);
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = `fk_${keyId}_${secret}`;
  const now = Date.now();
  await client.insert({
    table: API_KEYS_TABLE,
    columns: [...API_KEY_COLUMNS] as [string, ...string[]],
    values: [[keyId, project, name, sha256(key).toString('hex'), now, null, now]],
    format: 'JSONCompactEachRow',
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
  return { key, keyId, project };
}

export async function listApiKeys(client: ClickHouseClient, project?: string): Promise<ApiKeyInfo[]> {
  const rs = await client.query({
    query: `SELECT KeyId AS keyId, Project AS project, Name AS name, toString(CreatedAt) AS createdAt, if(isNull(RevokedAt), NULL, toString(RevokedAt)) AS revokedAt
      FROM (${KEY_STATE}) WHERE ({project:String} = '' OR Project = {project:String}) ORDER BY CreatedAt`,
    query_params: { project: project ?? '' },
    format: 'JSONEachRow',
  });
  return rs.json<ApiKeyInfo>();
}

/** Revokes a key by id (or by the full key). Returns false when no such key exists. */
export async function revokeApiKey(client: ClickHouseClient, keyIdOrKey: string): Promise<boolean> {
  const keyId = KEY_FORMAT.exec(keyIdOrKey)?.[1] ?? keyIdOrKey;
  const rs = await client.query({
    query: `SELECT KeyId, Project, Name, SecretSha256, toUnixTimestamp64Milli(CreatedAt) AS CreatedAt FROM (${KEY_STATE}) WHERE KeyId = {keyId:String}`,
    query_params: { keyId },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ KeyId: string; Project: string; Name: string; SecretSha256: string; CreatedAt: number }>();
  if (!row) return false;
  const now = Date.now();
  await client.insert({
    table: API_KEYS_TABLE,
    columns: [...API_KEY_COLUMNS] as [string, ...string[]],
    values: [[row.KeyId, row.Project, row.Name, row.SecretSha256, row.CreatedAt, now, (REVOKED_VERSION_BASE + BigInt(now)).toString()]],
    format: 'JSONCompactEachRow',
  });
  return true;
}

export async function loadKeyRecords(client: ClickHouseClient): Promise<Map<string, KeyRecord>> {
  const rs = await client.query({ query: `SELECT KeyId, Project, SecretSha256, NOT isNull(RevokedAt) AS revoked FROM (${KEY_STATE})`, format: 'JSONEachRow' });
  const out = new Map<string, KeyRecord>();
  for (const r of await rs.json<{ KeyId: string; Project: string; SecretSha256: string; revoked: boolean | number }>()) {
    out.set(r.KeyId, { project: r.Project, secretSha256: Buffer.from(r.SecretSha256, 'hex'), revoked: Boolean(r.revoked) });
  }
  return out;
}

export type KeyCheck = { status: 'valid'; project: string; keyId: string } | { status: 'invalid' } | { status: 'revoked' } | { status: 'unknown-id'; keyId: string };

/** Compares the presented key's hash with the stored one in constant time. */
export function checkKey(records: Map<string, KeyRecord>, presented: string): KeyCheck {
  const m = KEY_FORMAT.exec(presented);
  if (!m) return { status: 'invalid' };
  const keyId = m[1]!;
  const record = records.get(keyId);
  if (!record) return { status: 'unknown-id', keyId };
  if (!timingSafeEqual(sha256(presented), record.secretSha256)) return { status: 'invalid' };
  return record.revoked ? { status: 'revoked' } : { status: 'valid', project: record.project, keyId };
}
