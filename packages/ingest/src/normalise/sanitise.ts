import type { SessionMetricRow, SpanRow } from '@fulcrum/store';

export interface SanitiseOptions {
  /** Replaces secrets in a string. @default undefined (no redaction) */
  redact?: (s: string) => string;
  /** Attributes kept per map; the rest are dropped and the row marked Truncated. @default 128 */
  maxAttributes?: number;
  /** Longest attribute value or text column kept, in characters. @default 16384 */
  maxValueLength?: number;
}

// Every free-text column, including those copied from attributes before redaction (a model,
// repository URL or tool name can carry a token as easily as the attribute it came from).
const TEXT_COLUMNS = [
  'SpanName', 'Command', 'SearchPattern', 'FilePath', 'StatusMessage', 'ServiceName', 'ScopeName', 'ScopeVersion', 'TraceState',
  'Team', 'Repository', 'Harness', 'UseCase', 'UserId', 'AgentName', 'ToolName', 'ToolCallId', 'McpServer', 'SkillName', 'Model', 'ErrorType',
] as const;
// Numeric columns and their ClickHouse types' ceilings: a value the INSERT cannot parse fails the
// whole batch (other clients' rows coalesced with it, and the spool replays it forever).
const UINT64_COLUMNS = ['Duration', 'InputTokens', 'OutputTokens', 'CacheReadTokens', 'CacheWriteTokens', 'ResultSize'] as const;
const UINT32_COLUMNS = ['ReadOffset', 'ReadLimit', 'LinesAdded', 'LinesRemoved'] as const;
const UINT32_MAX = 0xffff_ffff;
// DateTime64(9) holds nanoseconds up to 2^63 - 1 (2262-04-11); OTLP fixed64 and JSON int64 go beyond.
const MAX_NANOS = 9_223_372_036_854_775_807n;
const NANOS = /^\d{1,19}$/;
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
    for (const e of row.Events) {
      truncated = clean(e.Attributes) || truncated;
      // Event names are free text too (exception messages, "retry <command>").
      if (e.Name.length > maxLen) [e.Name, truncated] = [e.Name.slice(0, maxLen), true];
      if (options.redact && e.Name.length >= MIN_SECRET) e.Name = options.redact(e.Name);
    }
    for (const l of row.Links) truncated = clean(l.Attributes) || truncated;
    truncated = clampNumbers(row) || truncated;
    for (const c of TEXT_COLUMNS) {
      let v = row[c];
      if (!v) continue;
      if (v.length > maxLen) {
        v = v.slice(0, maxLen);
        truncated = true;
      }
      row[c] = options.redact && v.length >= MIN_SECRET ? options.redact(v) : v;
    }
    if (row.FilePaths.length > 0) {
      const paths = cleanList(row.FilePaths, maxAttrs, maxLen, options.redact);
      row.FilePaths = paths.values;
      truncated = paths.truncated || truncated;
    }
    if (truncated) row.Truncated = true;
  }
}

/** A stored timestamp the column can hold: negatives and garbage become 0, the far future the ceiling. */
export function clampNanos(v: string): string {
  if (!NANOS.test(v)) return '0';
  return v.length === 19 && BigInt(v) > MAX_NANOS ? MAX_NANOS.toString() : v;
}

function clampInt(v: number, max: number): number {
  if (!(v > 0)) return 0; // also NaN
  return v > max ? max : Math.round(v);
}

/** Brings numbers and timestamps into their columns' ranges; true when any value changed. */
function clampNumbers(row: SpanRow): boolean {
  let changed = false;
  const ts = clampNanos(row.Timestamp);
  if (ts !== row.Timestamp) [row.Timestamp, changed] = [ts, true];
  for (const e of row.Events) {
    const t = clampNanos(e.Timestamp);
    if (t !== e.Timestamp) [e.Timestamp, changed] = [t, true];
  }
  for (const c of UINT64_COLUMNS) {
    const v = clampInt(row[c], Number.MAX_SAFE_INTEGER);
    if (v !== row[c]) [row[c], changed] = [v, true];
  }
  for (const c of UINT32_COLUMNS) {
    const v = clampInt(row[c], UINT32_MAX);
    if (v !== row[c]) [row[c], changed] = [v, true];
  }
  if (!Number.isFinite(row.CostUsd) || row.CostUsd < 0) [row.CostUsd, changed] = [0, true];
  row.Version = clampInt(row.Version, Number.MAX_SAFE_INTEGER);
  return changed;
}

const METRIC_TEXT = ['SessionId', 'MetricName', 'Unit', 'Harness', 'Team', 'UserId', 'Model', 'Activity'] as const;

/** The same pass for session_metrics rows: redaction, caps, and values the columns can hold. */
export function sanitiseMetricRows(rows: readonly SessionMetricRow[], options: SanitiseOptions): void {
  const maxAttrs = options.maxAttributes ?? 128;
  const maxLen = options.maxValueLength ?? 16_384;
  const done = new WeakSet<Record<string, string>>();
  for (const row of rows) {
    if (!done.has(row.Attributes)) {
      cleanMap(row.Attributes, maxAttrs, maxLen, options.redact);
      done.add(row.Attributes);
    }
    for (const c of METRIC_TEXT) {
      const v = row[c].length > maxLen ? row[c].slice(0, maxLen) : row[c];
      row[c] = options.redact && v.length >= MIN_SECRET ? options.redact(v) : v;
    }
    row.StartTime = clampNanos(row.StartTime);
    row.Time = clampNanos(row.Time);
    row.Version = clampNanos(row.Version);
    if (!Number.isFinite(row.Value)) row.Value = 0;
  }
}

/** A list of free-text values (FilePaths) capped in count and length, and redacted. */
function cleanList(list: readonly string[], maxItems: number, maxLen: number, redact?: (s: string) => string): { values: string[]; truncated: boolean } {
  let truncated = list.length > maxItems;
  const values = list.slice(0, maxItems).map((v) => {
    if (v.length > maxLen) [v, truncated] = [v.slice(0, maxLen), true];
    return redact && v.length >= MIN_SECRET ? redact(v) : v;
  });
  return { values, truncated };
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
