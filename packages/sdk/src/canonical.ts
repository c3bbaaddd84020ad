/** Canonical tool arguments: stable key order JSON, redacted, truncated, hashed. */
import * as crypto from 'node:crypto';
import { redact, type Redactor } from './redact.js';

/** Marker appended to a truncated string. */
export const TRUNCATED_MARKER = '…[truncated]';

function write(value: unknown, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) return '"[Circular]"';
  seen.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[' + obj.map((v) => write(v, seen) ?? 'null').join(',') + ']';
  } else if (obj instanceof Date) {
    out = JSON.stringify(obj.toISOString());
  } else {
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = write((obj as Record<string, unknown>)[key], seen);
      if (v !== undefined) parts.push(JSON.stringify(key) + ':' + v);
    }
    out = '{' + parts.join(',') + '}';
  }
  seen.delete(obj);
  return out;
}

/** JSON with object keys sorted at every depth; cycles become "[Circular]". */
export function stableStringify(value: unknown): string {
  return write(value, new Set()) ?? 'null';
}

/** s cut to at most maxLen characters, marker included. */
export function truncate(s: string, maxLen: number): string {
  if (s.length <= maxLen) return s;
  if (maxLen <= TRUNCATED_MARKER.length) return s.slice(0, Math.max(0, maxLen));
  return s.slice(0, maxLen - TRUNCATED_MARKER.length) + TRUNCATED_MARKER;
}

/**
 * Canonical form of tool arguments: stable JSON, redacted, then truncated to
 * maxLen (default: no limit). Hash the untruncated form for loop detection.
 */
export function canonicalArgs(args: unknown, maxLen = Infinity, redactor: Redactor = redact): string {
  return truncate(redactor(stableStringify(args)), maxLen);
}

const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

/** First 16 hex digits of the SHA-1 of the canonical arguments. */
export function argsHash(canonical: string): string {
  const hex = oneShot ? oneShot('sha1', canonical, 'hex') : crypto.createHash('sha1').update(canonical).digest('hex');
  return hex.slice(0, 16);
}
