import type { SessionMetricRow, SpanRow } from '@fulcrum/store';
import { setAttribute } from '../otlp/attributes.js';
import { commitIdOf } from '@fulcrum/vocab';
import { capId, capText, hashShape, hexId, type Redact } from './caps.js';

export interface SanitiseOptions {
  /** Replaces secrets in a string. @default undefined (no redaction) */
  redact?: Redact;
  /** Attributes kept per map; the rest are dropped and the row marked Truncated. @default 128 */
  maxAttributes?: number;
  /** Longest attribute value or text column kept, in characters. @default 16384 */
  maxValueLength?: number;
  /**
   * Longest id (SessionId, ToolCallId, UserId) or attribute key kept as sent, in
   * characters; a longer one is stored as `h:` and a hash of it, so its rows still group. @default 256
   */
  maxIdLength?: number;
}

interface Caps {
  maxAttrs: number;
  maxLen: number;
  maxId: number;
  redact?: Redact;
}

function capsOf(options: SanitiseOptions): Caps {
  return { maxAttrs: options.maxAttributes ?? 128, maxLen: options.maxValueLength ?? 16_384, maxId: options.maxIdLength ?? 256, redact: options.redact };
}

// Every free-text column, including those copied from attributes before redaction (a model,
// repository URL or tool name can carry a token as easily as the attribute it came from).
const TEXT_COLUMNS = [
  'SpanName', 'Command', 'SearchPattern', 'FilePath', 'StatusMessage', 'ServiceName', 'ScopeName', 'ScopeVersion', 'TraceState',
  'Team', 'Repository', 'Harness', 'UseCase', 'AgentName', 'ToolName', 'McpServer', 'SkillName', 'Model', 'ErrorType',
] as const;
// Ids that group rows (SessionId is in the sort key): an over-long one is hashed, never cut, so its rows stay together.
const ID_COLUMNS = ['SessionId', 'ToolCallId', 'UserId'] as const;
// Columns that must be hex of one length (the trace view follows them); anything else is hashed into that shape.
const HEX_COLUMNS = [['TraceId', 32], ['SpanId', 16], ['ParentSpanId', 16], ['IssuerSpanId', 16]] as const;
const HASH_COLUMNS = ['ArgsHash', 'EditOldHash', 'EditNewHash'] as const;
// Columns finishToolFacts derives from the (already clean) columns above; cleaned again after it runs.
const DERIVED_TEXT = ['FilePath', 'CommandKey', 'SearchKey'] as const;
// SpanKind, StatusCode, SpanType, Source, ToolKind, VcsAction, GuardPolicy and GuardDecision hold our own vocabulary only, and Project
// comes from the server (the API key or its configuration), so none of them carries client text.

// Numeric columns and their ClickHouse types' ceilings: a value the INSERT cannot parse fails the
// whole batch (other clients' rows coalesced with it, and the spool replays it forever).
const UINT64_COLUMNS = ['Duration', 'InputTokens', 'OutputTokens', 'CacheReadTokens', 'CacheWriteTokens', 'ResultSize', 'InputSize'] as const;
const UINT32_COLUMNS = ['ReadOffset', 'ReadLimit', 'LinesAdded', 'LinesRemoved'] as const;
const UINT32_MAX = 0xffff_ffff;
// DateTime64(9) holds nanoseconds up to 2^63 - 1 (2262-04-11); OTLP fixed64 and JSON int64 go beyond.
const MAX_NANOS = 9_223_372_036_854_775_807n;
const DIGITS = /^\d+$/;

/**
 * The last step before rows are written or spooled, for every signal: caps
 * attribute counts and the length of every string (values, keys, ids, names),
 * redacting before cutting, validates hex ids and hash shapes (noting any
 * change on the row), so nothing secret or unbounded reaches the store, the
 * spool or the logs. Maps shared by many rows (one resource per request) are
 * cleaned once.
 */
export function sanitiseRows(rows: readonly SpanRow[], options: SanitiseOptions): void {
  const caps = capsOf(options);
  const done = new WeakMap<Record<string, string>, boolean>();
  const clean = (m: Record<string, string>): boolean => {
    const known = done.get(m);
    if (known !== undefined) return known;
    const truncated = cleanMap(m, caps);
    done.set(m, truncated);
    return truncated;
  };
  for (const row of rows) {
    let truncated = clean(row.SpanAttributes);
    truncated = clean(row.ResourceAttributes) || truncated;
    for (const e of row.Events) {
      truncated = clean(e.Attributes) || truncated;
      // Event names are free text too (exception messages, "retry <command>").
      if (e.Name.length > caps.maxLen) truncated = true;
      e.Name = capText(e.Name, caps.maxLen, caps.redact);
    }
    for (const l of row.Links) {
      truncated = clean(l.Attributes) || truncated;
      const [traceId, spanId] = [hexId(l.TraceId, 32), hexId(l.SpanId, 16)];
      if (traceId !== l.TraceId || spanId !== l.SpanId || l.TraceState.length > caps.maxLen) truncated = true;
      [l.TraceId, l.SpanId, l.TraceState] = [traceId, spanId, capText(l.TraceState, caps.maxLen, caps.redact)];
    }
    truncated = clampNumbers(row) || truncated;
    for (const c of TEXT_COLUMNS) {
      const v = row[c];
      if (!v) continue;
      if (v.length > caps.maxLen) truncated = true;
      row[c] = capText(v, caps.maxLen, caps.redact);
    }
    truncated = cleanIds(row, caps) || truncated;
    if (row.FilePaths.length > 0) truncated = cleanPaths(row, caps) || truncated;
    if (truncated) row.Truncated = true;
  }
}

/**
 * The columns finishToolFacts derives (file paths made relative, command and
 * search keys) under the same caps and redaction: a derived key is built from
 * clean columns but may join or reshape them.
 */
export function sanitiseDerived(rows: readonly SpanRow[], options: SanitiseOptions): void {
  const caps = capsOf(options);
  for (const row of rows) {
    let truncated = false;
    for (const c of DERIVED_TEXT) {
      const v = row[c];
      if (!v) continue;
      if (v.length > caps.maxLen) truncated = true;
      row[c] = capText(v, caps.maxLen, caps.redact);
    }
    if (row.FilePaths.length > 0) truncated = cleanPaths(row, caps) || truncated;
    for (const c of HASH_COLUMNS) row[c] = hashShape(row[c]);
    if (truncated) row.Truncated = true;
  }
}

/** Ids and hashes in their shapes; true when any was replaced. */
function cleanIds(row: SpanRow, caps: Caps): boolean {
  let changed = false;
  for (const c of ID_COLUMNS) {
    const v = row[c];
    if (!v) continue;
    if (v.length > caps.maxId) changed = true;
    row[c] = capId(v, caps.maxId, caps.redact);
  }
  for (const [c, chars] of HEX_COLUMNS) {
    const v = hexId(row[c], chars);
    if (v !== row[c]) [row[c], changed] = [v, true];
  }
  for (const c of HASH_COLUMNS) {
    const v = hashShape(row[c]);
    if (v !== row[c]) [row[c], changed] = [v, true];
  }
  if (row.VcsCommit) {
    const v = commitIdOf(row.VcsCommit);
    if (v !== row.VcsCommit) [row.VcsCommit, changed] = [v, true];
  }
  return changed;
}

/** FilePaths capped in count and length, and redacted; true when any was cut. */
function cleanPaths(row: SpanRow, caps: Caps): boolean {
  let truncated = row.FilePaths.length > caps.maxAttrs;
  row.FilePaths = row.FilePaths.slice(0, caps.maxAttrs).map((v) => {
    if (v.length > caps.maxLen) truncated = true;
    return capText(v, caps.maxLen, caps.redact);
  });
  return truncated;
}

/**
 * A stored timestamp the column can hold: negatives and garbage become 0, anything
 * beyond the column's range (up to a maximum fixed64) its ceiling.
 */
export function clampNanos(v: string): string {
  if (!DIGITS.test(v)) return '0';
  const n = v.length > 1 && v.startsWith('0') ? v.replace(/^0+(?=\d)/, '') : v;
  return n.length > 19 || (n.length === 19 && BigInt(n) > MAX_NANOS) ? MAX_NANOS.toString() : n;
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

const METRIC_TEXT = ['MetricName', 'Unit', 'Harness', 'Team', 'Model', 'Activity'] as const;
const METRIC_IDS = ['SessionId', 'UserId'] as const;

/** The same pass for session_metrics rows: redaction, caps, and values the columns can hold. */
export function sanitiseMetricRows(rows: readonly SessionMetricRow[], options: SanitiseOptions): void {
  const caps = capsOf(options);
  const done = new WeakSet<Record<string, string>>();
  for (const row of rows) {
    if (!done.has(row.Attributes)) {
      cleanMap(row.Attributes, caps);
      done.add(row.Attributes);
    }
    for (const c of METRIC_TEXT) row[c] = capText(row[c], caps.maxLen, caps.redact);
    for (const c of METRIC_IDS) row[c] = capId(row[c], caps.maxId, caps.redact);
    row.SeriesKey = hashShape(row.SeriesKey);
    row.StartTime = clampNanos(row.StartTime);
    row.Time = clampNanos(row.Time);
    row.Version = clampNanos(row.Version);
    if (!Number.isFinite(row.Value)) row.Value = 0;
  }
}

/** Clean attribute keys, remembered per redactor: the same few dozen keys recur on every span. */
const cleanKeys = new WeakMap<Redact, Map<string, string>>();
const KEY_MEMORY = 10_000;

function cleanKey(k: string, caps: Caps): string {
  if (k.length > caps.maxId || !caps.redact) return capId(k, caps.maxId, caps.redact);
  let memory = cleanKeys.get(caps.redact);
  if (!memory) cleanKeys.set(caps.redact, (memory = new Map()));
  let clean = memory.get(k);
  if (clean === undefined) {
    clean = capId(k, caps.maxId, caps.redact);
    if (memory.size >= KEY_MEMORY) memory.clear();
    memory.set(k, clean);
  }
  return clean;
}

/** Caps a map's size, its keys and its values (redacting both); true when anything was cut or dropped. */
function cleanMap(m: Record<string, string>, caps: Caps): boolean {
  let truncated = false;
  const keys = Object.keys(m);
  if (keys.length > caps.maxAttrs) {
    for (const k of keys.splice(caps.maxAttrs)) delete m[k];
    truncated = true;
  }
  for (const k of keys) {
    const v = m[k]!;
    if (v.length > caps.maxLen || k.length > caps.maxId) truncated = true;
    const value = capText(v, caps.maxLen, caps.redact);
    const key = cleanKey(k, caps);
    if (key !== k) {
      delete m[k];
      setAttribute(m, key, value);
    } else if (value !== v) m[k] = value;
  }
  return truncated;
}

/** A session id as sanitiseRows stores it, so a reader can ask for a session by the id its client sent. */
export function storedSessionId(id: string, options: SanitiseOptions): string {
  const caps = capsOf(options);
  return capId(id, caps.maxId, caps.redact);
}
