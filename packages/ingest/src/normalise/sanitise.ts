import type { SpanRow } from '@fulcrum/store';

export interface SanitiseOptions {
  /** Replaces secrets in a string. @default undefined (no redaction) */
  redact?: (s: string) => string;
  /** Attributes kept per map; the rest are dropped and the row marked Truncated. @default 128 */
  maxAttributes?: number;
  /** Longest attribute value or text column kept, in characters. @default 16384 */
  maxValueLength?: number;
}

const TEXT_COLUMNS = ['SpanName', 'Command', 'SearchPattern', 'FilePath', 'StatusMessage'] as const;
// Redaction scans for token shapes; anything shorter cannot hold a secret worth the scan.
const MIN_SECRET = 8;

/**
 * The last step before rows are written or spooled, for every signal: caps
 * attribute counts and string lengths (noting it on the row) and redacts
 * secrets, so nothing secret reaches the store, the spool or the logs. Maps
 * shared by many rows (one resource per request) are cleaned once.
 */
export function sanitiseRows(rows: readonly SpanRow[], options: SanitiseOptions): void {
  const maxAttrs = options.maxAttributes ?? 128;
  const maxLen = options.maxValueLength ?? 16_384;
  const done = new WeakMap<Record<string, string>, boolean>();
  const clean = (m: Record<string, string>): boolean => {
    const known = done.get(m);
    if (known !== undefined) return known;
    const truncated = cleanMap(m, maxAttrs, maxLen, options.redact);
    done.set(m, truncated);
    return truncated;
  };
  for (const row of rows) {
    let truncated = clean(row.SpanAttributes);
    truncated = clean(row.ResourceAttributes) || truncated;
    for (const e of row.Events) truncated = clean(e.Attributes) || truncated;
    for (const l of row.Links) truncated = clean(l.Attributes) || truncated;
    for (const c of TEXT_COLUMNS) {
      let v = row[c];
      if (!v) continue;
      if (v.length > maxLen) {
        v = v.slice(0, maxLen);
        truncated = true;
      }
      row[c] = options.redact && v.length >= MIN_SECRET ? options.redact(v) : v;
    }
    if (truncated) row.Truncated = true;
  }
}

function cleanMap(m: Record<string, string>, maxAttrs: number, maxLen: number, redact?: (s: string) => string): boolean {
  let truncated = false;
  let n = 0;
  for (const k in m) {
    if (++n > maxAttrs) {
      delete m[k];
      truncated = true;
      continue;
    }
    let v = m[k]!;
    if (v.length > maxLen) {
      v = v.slice(0, maxLen);
      truncated = true;
    }
    m[k] = redact && v.length >= MIN_SECRET ? redact(v) : v;
  }
  return truncated;
}
