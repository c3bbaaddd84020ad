/**
 * Reference for tests/vocab/perf-equivalence.test.ts: packages/vocab/src/canonical.ts as it was
 * before the per-tool-call overhead work, kept verbatim (imports aside) so the
 * faster code can be held to it. Not used by any package.
 */
/** Canonical tool arguments: stable key order JSON, redacted, truncated, hashed. */
import * as crypto from 'node:crypto';
import { redact, type Redactor } from './equivalence-old-redact.js';

/** Marker appended to a truncated string. */
export const TRUNCATED_MARKER = '…[truncated]';

function write(value: unknown, stack: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return '"' + value.toString() + '"';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (stack.includes(obj)) return '"[Circular]"';
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'null' : JSON.stringify(obj.toISOString());
  stack.push(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) out += (i > 0 ? ',' : '') + (write(obj[i], stack) ?? 'null');
    out += ']';
  } else {
    const keys = Object.keys(obj);
    if (keys.length > 1) keys.sort();
    out = '{';
    let first = true;
    for (const key of keys) {
      const v = write((obj as Record<string, unknown>)[key], stack);
      if (v === undefined) continue;
      out += (first ? '' : ',') + JSON.stringify(key) + ':' + v;
      first = false;
    }
    out += '}';
  }
  stack.pop();
  return out;
}

/**
 * True when JSON.stringify(value) already is the canonical form: plain data,
 * keys in sorted order at every depth, no bigint, no toJSON but Date's. Deep or
 * cyclic values answer false and take the slow path.
 */
function nativeIsCanonical(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'bigint';
  if (depth > 16) return false;
  if (value instanceof Date) return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (const v of value) if (!nativeIsCanonical(v, depth + 1)) return false;
    return true;
  }
  let prev: string | undefined;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) return false;
    if (prev !== undefined && !(prev < key)) return false;
    // Integer-like keys are ordered numerically by JSON.stringify, not as strings.
    const c = key.charCodeAt(0);
    if (c >= 48 && c <= 57) return false;
    prev = key;
    if (!nativeIsCanonical((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** JSON with object keys sorted at every depth; cycles become "[Circular]". */
export function stableStringify(value: unknown): string {
  if (nativeIsCanonical(value, 0)) return JSON.stringify(value) ?? 'null';
  return write(value, []) ?? 'null';
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

/** First 16 hex digits of the SHA-1 of a text: short enough to store per call, long enough not to collide within a project. */
export function textHash(text: string): string {
  const hex = oneShot ? oneShot('sha1', text, 'hex') : crypto.createHash('sha1').update(text).digest('hex');
  return hex.slice(0, 16);
}

/** First 16 hex digits of the SHA-1 of the canonical arguments. */
export function argsHash(canonical: string): string {
  return textHash(canonical);
}
