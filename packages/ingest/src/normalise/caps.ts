import { createHash } from 'node:crypto';

/** Replaces secrets in a string. */
export type Redact = (s: string) => string;

// Redaction looks for token shapes; anything shorter cannot hold a secret worth the scan.
const MIN_SECRET = 8;
/**
 * How far past its cap an over-long value is redacted before it is cut. A secret
 * straddling the cut is seen whole (and replaced) as long as it is shorter than
 * this; the redactor's work stays bounded (a 10 MB value of token shapes would
 * otherwise cost seconds, or overflow its stack).
 */
const REDACT_MARGIN = 16_384;
/** Prefix of an id or key replaced by its hash, so a reader can tell it is not the value sent. */
export const HASHED_PREFIX = 'h:';

const HEX = /^[0-9a-f]*$/;

/** A cut at max characters that does not split a surrogate pair. */
function cutAt(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = max > 0 && (s.charCodeAt(max - 1) & 0xfc00) === 0xd800 ? max - 1 : max;
  return s.slice(0, end);
}

/**
 * Free text as stored: redacted first, then cut at max characters, then
 * redacted again. Redacting first means a secret the cut would halve is
 * already a marker; redacting the cut text catches a shape the cut itself
 * completed (a token whose run now ends at the end of the string).
 */
export function capText(v: string, max: number, redact?: Redact): string {
  if (v.length <= max) return redact && v.length >= MIN_SECRET ? redact(v) : v;
  if (!redact) return cutAt(v, max);
  const seen = redact(v.length > max + REDACT_MARGIN ? v.slice(0, max + REDACT_MARGIN) : v);
  return seen.length <= max ? seen : redact(cutAt(seen, max));
}

/** A stable hash of a value: the same text always gives the same hex. */
export function hashHex(v: string, chars: number): string {
  return createHash('sha256').update(v).digest('hex').slice(0, chars);
}

/**
 * An identifier as stored (session, tool call, user, attribute key): redacted
 * when it fits max, else replaced by `h:` and a hash of the whole value, so
 * every copy of one over-long id still groups together and none of it is kept.
 */
export function capId(v: string, max: number, redact?: Redact): string {
  if (v.length <= max) return redact && v.length >= MIN_SECRET ? redact(v) : v;
  return `${HASHED_PREFIX}${hashHex(v, 32)}`;
}

/**
 * A trace or span id as stored: lowercase hex of exactly `chars` digits, or
 * '' when absent. Anything else (a client's own id scheme, a secret) becomes a
 * hash of the right length, so links between rows carrying it still match.
 */
export function hexId(v: string, chars: number): string {
  if (v === '' || (v.length === chars && HEX.test(v))) return v;
  return hashHex(`id\u0000${v}`, chars);
}

/** A hash column (ArgsHash, edit hashes): 16 lowercase hex digits, '' when none; anything else is hashed into that shape. */
export function hashShape(v: string): string {
  if (v === '' || (v.length === 16 && HEX.test(v))) return v;
  return hashHex(v, 16);
}
