/** Canonical tool arguments: stable key order JSON, redacted, truncated, hashed. */
import * as crypto from 'node:crypto';
import { redact, type Redactor } from './redact.js';

/** Marker appended to a truncated string. */
export const TRUNCATED_MARKER = '…[truncated]';

/** Characters JSON.stringify escapes: quote, backslash, controls, and surrogates (a lone one is escaped). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(s), without its call for the common string that needs no escape. */
const quote = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"');

/** Sorts keys in place as Array.prototype.sort would (code unit order; keys are distinct, so stability is moot). */
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}

/**
 * The canonical writer: sorted keys, cycles as "[Circular]", Dates as ISO
 * strings, bigints as strings. It also notes whether the value is plain data
 * (primitives other than functions, arrays and objects with the standard or a
 * null prototype): only then is its output known to equal what JSON.stringify
 * gives for a value already in canonical order.
 */
class Writer {
  private readonly stack: object[] = [];
  plain = true;

  write(value: unknown): string | undefined {
    switch (typeof value) {
      case 'string':
        return quote(value);
      case 'number':
        return Number.isFinite(value) ? String(value) : 'null';
      case 'boolean':
        return value ? 'true' : 'false';
      case 'bigint':
        return '"' + value.toString() + '"';
      case 'function':
        // JSON.stringify would call a Function.prototype.toJSON.
        this.plain = false;
        return undefined;
      case 'undefined':
      case 'symbol':
        return undefined;
    }
    if (value === null) return 'null';
    const obj = value as object;
    const stack = this.stack;
    if (stack.includes(obj)) return '"[Circular]"';
    if (obj instanceof Date) {
      this.plain = false;
      return Number.isNaN(obj.getTime()) ? 'null' : JSON.stringify(obj.toISOString());
    }
    stack.push(obj);
    let out: string;
    if (Array.isArray(obj)) {
      if (Object.getPrototypeOf(obj) !== Array.prototype) this.plain = false;
      out = '[';
      for (let i = 0; i < obj.length; i++) out += (i > 0 ? ',' : '') + (this.write(obj[i]) ?? 'null');
      out += ']';
    } else {
      const proto = Object.getPrototypeOf(obj) as unknown;
      if (proto !== Object.prototype && proto !== null) this.plain = false;
      const keys = Object.keys(obj);
      sortKeys(keys);
      out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const v = this.write((obj as Record<string, unknown>)[key]);
        if (v === undefined) continue;
        out += (out.length === 1 ? '' : ',') + quote(key) + ':' + v;
      }
      out += '}';
    }
    stack.pop();
    return out;
  }
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

/**
 * JSON with object keys sorted at every depth; cycles become "[Circular]".
 *
 * A value already in canonical order is what JSON.stringify writes, and that
 * is the answer then, toJSON (a Date's, say) included. For plain data the
 * writer's output is that same string, so one pass serves; anything else
 * (Dates, class instances, boxed primitives, functions) asks
 * nativeIsCanonical as before.
 */
export function stableStringify(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  const writer = new Writer();
  const out = writer.write(value);
  if (!writer.plain && nativeIsCanonical(value, 0)) return JSON.stringify(value) ?? 'null';
  return out ?? 'null';
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
