/**
 * Reference for tests/vocab/perf-equivalence.test.ts: packages/vocab/src/redact.ts as it was
 * before the per-tool-call overhead work, kept verbatim (imports aside) so the
 * faster code can be held to it. Not used by any package.
 */
/**
 * Secret redaction for strings that leave the process (span attributes, tool
 * arguments, commands). Every pattern is linear-time: each has a literal or
 * anchored start, bounded or delimiter-terminated runs, and no nested
 * quantifiers, so a 1 MB adversarial string costs a few milliseconds.
 *
 * Hot path: a string shorter than {@link MIN_SECRET_LENGTH} is returned as is,
 * and a pattern only runs when its cheap hint matches.
 */

/** A user-supplied pattern, optionally named for the `[REDACTED:<kind>]` marker. */
export interface CustomPattern {
  pattern: RegExp;
  /** Marker kind. Default: `custom`. */
  kind?: string;
}

export interface RedactorOptions {
  /** Extra patterns; every match is replaced by `[REDACTED:custom]` (or its kind). Default: none. */
  extraPatterns?: Array<RegExp | CustomPattern>;
  /** Skip the built-in patterns and use only extraPatterns. Default: false. */
  disableDefaults?: boolean;
  /** Results remembered, for callers that redact the same values repeatedly. Default: 0 (off). */
  cacheSize?: number;
  /** Longest string remembered. Default: 4096. */
  cacheMaxLength?: number;
}

export type Redactor = (s: string) => string;

/** Strings shorter than this cannot hold any secret we look for. */
export const MIN_SECRET_LENGTH = 8;

interface Rule {
  kind: string;
  /** Run the pattern only when the hint matches. */
  hint: RegExp;
  apply(s: string, kind: string): string;
}

const marker = (kind: string): string => `[REDACTED:${kind}]`;

function regexRule(kind: string, hint: RegExp, pattern: RegExp, keep?: (m: string, ...g: string[]) => string): Rule {
  return {
    kind,
    hint,
    apply: (s, k) => (keep ? s.replace(pattern, keep) : s.replace(pattern, marker(k))),
  };
}

/**
 * Keys whose values are secrets end with one of these words (GITHUB_TOKEN,
 * db_password, x-api-key; not max_tokens). The pattern starts at the word and
 * requires the separator right after it, so it needs no backtracking over the key.
 */
const SECRET_KEY_WORDS =
  'token|secret|passw(?:or)?d|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth|authorization|session[_-]?key|signature';

function keyValue(m: string, key: string, sep: string, value: string): string {
  if (value.startsWith('[REDACTED') || /^(?:bearer|basic)$/i.test(value)) return m;
  return `${key}${sep}${marker('secret')}`;
}

/** PEM private keys, found with indexOf (a lazy regex would be quadratic without an END line). */
function redactPem(s: string, kind: string): string {
  const begin = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
  let out = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = begin.exec(s)) !== null) {
    const endAt = s.indexOf('PRIVATE KEY-----', m.index + m[0].length);
    out += s.slice(last, m.index) + marker(kind);
    if (endAt < 0) return out; // truncated block: drop the rest
    last = endAt + 'PRIVATE KEY-----'.length;
    begin.lastIndex = last;
  }
  return last === 0 ? s : out + s.slice(last);
}

const TOKEN = '[A-Za-z0-9_-]';

const isJwtChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95 || c === 46;

/**
 * JWTs (header.payload.signature, header and payload starting `eyJ`), found by
 * scanning each maximal run of base64url-and-dot characters once.
 */
function redactJwt(s: string, kind: string): string {
  let out = '';
  let last = 0;
  let from = 0;
  for (let at = s.indexOf('eyJ'); at >= 0; at = s.indexOf('eyJ', from)) {
    let start = at;
    while (start > from && isJwtChar(s.charCodeAt(start - 1))) start--;
    let end = at;
    while (end < s.length && isJwtChar(s.charCodeAt(end))) end++;
    const segs = s.slice(start, end).split('.');
    let pos = start;
    for (let i = 0; i + 2 < segs.length; i++) {
      const h = segs[i].lastIndexOf('eyJ');
      const headerOk = h === 0 || (h > 0 && !/[A-Za-z0-9]/.test(segs[i][h - 1]));
      if (headerOk && segs[i + 1].startsWith('eyJ') && segs[i + 2].length > 0) {
        out += s.slice(last, pos + h) + marker(kind);
        last = pos + segs[i].length + segs[i + 1].length + segs[i + 2].length + 2;
        break;
      }
      pos += segs[i].length + 1;
    }
    from = end;
  }
  return last === 0 ? s : out + s.slice(last);
}

const DEFAULT_RULES: Rule[] = [
  { kind: 'private_key', hint: /-----BEGIN /, apply: redactPem },
  regexRule('anthropic_key', /sk-ant-/, new RegExp(`sk-ant-${TOKEN}{10,}`, 'g')),
  regexRule('openai_key', /sk-/, new RegExp(`(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?${TOKEN}{20,}`, 'g')),
  regexRule('aws_access_key', /A[KS]IA/, /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g),
  regexRule(
    'aws_secret',
    /aws_secret_access_key/i,
    /(aws_secret_access_key["']?[ \t]{0,8}[=:][ \t]{0,8}["']?)[A-Za-z0-9/+=]{20,}/gi,
    (_m, pre) => pre + marker('aws_secret'),
  ),
  regexRule('github_token', /gh[pousr]_|github_pat_/, /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g),
  regexRule('slack_token', /xox[abprs]-/, /\bxox[abprs]-[A-Za-z0-9-]{10,}/g),
  regexRule('slack_webhook', /hooks\.slack\.com/, /https?:\/\/hooks\.slack\.com\/[A-Za-z0-9/_-]+/g),
  regexRule('google_api_key', /AIza/, /\bAIza[0-9A-Za-z_-]{35}/g),
  { kind: 'jwt', hint: /eyJ/, apply: redactJwt },
  regexRule(
    'bearer',
    /[Bb]earer|[Bb]asic/,
    /\b((?:[Bb]earer|[Bb]asic)[ \t]{1,8})[A-Za-z0-9._~+/=-]{8,}/g,
    (m, pre) => (m.includes('[REDACTED') ? m : pre + marker('bearer')),
  ),
  regexRule(
    'password',
    /:\/\//,
    /(:\/\/[^\s:/@]{1,256}:)([^\s@/]{1,256})@/g,
    (m, pre) => (m.includes('[REDACTED') ? m : `${pre}${marker('password')}@`),
  ),
  regexRule(
    'secret',
    new RegExp(SECRET_KEY_WORDS, 'i'),
    // Quotes may be JSON-escaped (\\"); the value stops before a backslash so escapes stay intact.
    new RegExp(`(${SECRET_KEY_WORDS})(\\\\?["']?[ \\t]{0,4}[=:][ \\t]{0,4}\\\\?["']?)([^\\s"'\`&;,|)}\\]\\\\]+)`, 'gi'),
    keyValue,
  ),
  regexRule(
    'password',
    /(?:^|\s)(?:-u|--user)[ =]/,
    /((?:^|\s)(?:-u|--user)[ =][ \t]{0,4}["']?[^\s:'"]{1,256}:)([^\s'"]{1,256})/g,
    (m, pre, v) => (v.startsWith('[REDACTED') ? m : pre + marker('password')),
  ),
  regexRule(
    'secret',
    /--?(?:password|passwd|token|api-key|secret)/i,
    /(--?(?:password|passwd|token|api-key|secret)[ \t]{1,4})([^\s"'-][^\s"']{0,})/gi,
    (m, pre, v) => (v.startsWith('[REDACTED') ? m : pre + marker('secret')),
  ),
];

function toRule(p: RegExp | CustomPattern): Rule {
  const { pattern, kind = 'custom' } = p instanceof RegExp ? { pattern: p } : p;
  const global = pattern.flags.includes('g') ? pattern : new RegExp(pattern.source, pattern.flags + 'g');
  return { kind, hint: /[\s\S]/, apply: (s, k) => s.replace(global, marker(k)) };
}

/** Remembers recent results (hashing a fresh string costs about as much as the hint scan, so it is opt-in). */
function memoise(fn: Redactor, size: number, maxLength: number): Redactor {
  if (size <= 0) return fn;
  const cache = new Map<string, string>();
  return (s) => {
    if (typeof s !== 'string' || s.length > maxLength) return fn(s);
    const hit = cache.get(s);
    if (hit !== undefined) return hit;
    const out = fn(s);
    if (cache.size >= size) cache.clear();
    cache.set(s, out);
    if (out !== s && out.length <= maxLength) cache.set(out, out);
    return out;
  };
}

/** Builds a redactor: `(s) => s` with every secret replaced by `[REDACTED:<kind>]`. */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const rules = [...(options.disableDefaults ? [] : DEFAULT_RULES), ...(options.extraPatterns ?? []).map(toRule)];
  const hasExtras = (options.extraPatterns?.length ?? 0) > 0;
  // Two scans (case-sensitive token prefixes, case-insensitive key words) decide whether any rule can match.
  const hintOf = (ci: boolean): RegExp | undefined => {
    const sources = rules.filter((r) => r.hint.flags.includes('i') === ci).map((r) => r.hint.source);
    return sources.length > 0 ? new RegExp(sources.join('|'), ci ? 'i' : '') : undefined;
  };
  const sensitive = hintOf(false);
  const insensitive = hintOf(true);
  const anyHint = (s: string): boolean => hasExtras || sensitive?.test(s) === true || insensitive?.test(s) === true;
  const fn: Redactor = (s) => {
    if (typeof s !== 'string' || (s.length < MIN_SECRET_LENGTH && !hasExtras)) return s;
    if (!anyHint(s)) return s;
    let out = s;
    for (const rule of rules) {
      if (rule.hint.test(out)) out = rule.apply(out, rule.kind);
    }
    return out;
  };
  return memoise(fn, options.cacheSize ?? 0, options.cacheMaxLength ?? 4096);
}
/** Redacts with the default patterns. */
export const redact: Redactor = createRedactor();
