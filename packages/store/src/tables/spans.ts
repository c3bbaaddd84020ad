import { t, type ColumnType } from '../schema/column-types.js';
import { col, defineTable, nested, type RowOf } from '../schema/table.js';

/** Mirrors SpanType in @fulcrum/vocab; the store depends on no other package of ours. */
export type SpanType = 'session' | 'agent' | 'llm' | 'tool' | 'skill' | 'mcp' | 'other';

const Z = 'ZSTD(1)';

/**
 * The spans table: the OpenTelemetry collector's `otel_traces` columns (so
 * Grafana's ClickHouse plugin trace view reads it unchanged) plus typed columns
 * for what Fulcrum analyses. Migrations 0001 and 0010 create it; a test checks
 * that migrating an empty store gives exactly these columns.
 *
 * Engine and key, and why:
 * - ReplacingMergeTree(Version) keyed by (Project, SessionId, TraceId, SpanId):
 *   OTLP clients retry by design, so a span delivered twice collapses to one
 *   row. Reads use FINAL (or GROUP BY the key) so duplicates not yet merged are
 *   never counted twice. Version lets a richer copy of the same call (the same
 *   tool call reported by both logs and traces) win over a thinner one.
 * - ORDER BY starts with Project then SessionId: every analysis is scoped by
 *   project and reads one session's spans together, which becomes one
 *   contiguous range of granules.
 * - PARTITION BY month plus a minmax index on Timestamp serve per-project time
 *   ranges by pruning whole parts. Skip indexes cost insert speed, so there is
 *   only this one and a bloom filter on TraceId for Grafana's trace-by-id lookup.
 */
export const SPANS = defineTable({
  name: 'spans',
  columns: {
    Timestamp: col(t.nanos, 'Delta, ZSTD(1)'),
    TraceId: col(t.string, Z),
    SpanId: col(t.string, Z),
    ParentSpanId: col(t.string, Z),
    TraceState: col(t.string, Z),
    SpanName: col(t.lowString, Z),
    SpanKind: col(t.lowString, Z),
    ServiceName: col(t.lowString, Z),
    ResourceAttributes: col(t.attrs, Z),
    ScopeName: col(t.string, Z),
    ScopeVersion: col(t.string, Z),
    SpanAttributes: col(t.attrs, Z),
    /** Nanoseconds. */
    Duration: col(t.uint64, Z),
    StatusCode: col(t.lowString, Z),
    StatusMessage: col(t.string, Z),
    Events: nested({ Timestamp: t.nanos, Name: t.lowString, Attributes: t.attrs }, Z),
    Links: nested({ TraceId: t.string, SpanId: t.string, TraceState: t.string, Attributes: t.attrs }, Z),
    Project: col(t.lowString),
    SessionId: col(t.string),
    SpanType: col(t.lowString as ColumnType<SpanType>),
    Team: col(t.lowString),
    Repository: col(t.lowString),
    Harness: col(t.lowString),
    UseCase: col(t.lowString),
    UserId: col(t.string),
    AgentName: col(t.lowString),
    ToolName: col(t.lowString),
    ToolCallId: col(t.string),
    McpServer: col(t.lowString),
    SkillName: col(t.lowString),
    Model: col(t.lowString),
    /** Uncached input tokens: input + output + cache read + cache write is the call's total, for every source. */
    InputTokens: col(t.uint64),
    OutputTokens: col(t.uint64),
    CacheReadTokens: col(t.uint64),
    CacheWriteTokens: col(t.uint64),
    CostUsd: col(t.float64),
    Priced: col(t.bool),
    FilePath: col(t.string),
    ReadOffset: col(t.uint32),
    ReadLimit: col(t.uint32),
    Command: col(t.string),
    SearchPattern: col(t.string),
    ArgsHash: col(t.string),
    ResultSize: col(t.uint64),
    LinesAdded: col(t.uint32),
    LinesRemoved: col(t.uint32),
    Success: col(t.bool),
    ErrorType: col(t.lowString),
    FileUnchanged: col(t.bool),
    /** otlp-traces | otlp-logs | transcript | sdk */
    Source: col(t.lowString),
    Truncated: col(t.bool),
    /** Higher wins when the same span key arrives more than once. */
    Version: col(t.uint64),
    // Tool facts, decided once at ingest (migration 0010).
    /** read | edit | write | delete | search | shell | mcp | skill | agent | other; '' for spans that are no tool call. */
    ToolKind: col(t.lowString),
    /** Every file the call touches, normalised (relative to the session's working directory when known); FilePath is the first. */
    FilePaths: col(t.strings),
    /** The shell command with whitespace normalised: two runs of one command compare equal. */
    CommandKey: col(t.string),
    /** A search's identity (pattern and path, or a read-only shell command); '' when the call is no search. */
    SearchKey: col(t.string),
    /** Hashes of an edit's old and new text, so a revert is found without keeping the text; '' when unknown. */
    EditOldHash: col(t.string),
    EditNewHash: col(t.string),
    /** Bytes of the call's arguments. */
    InputSize: col(t.uint64),
    /** The model call that issued this tool call, when the source links them (transcripts); '' = the latest model call before it. */
    IssuerSpanId: col(t.string),
    /** A version-control step the call took: 'commit' | 'push' | ''. */
    VcsAction: col(t.lowString),
    /** The commit a 'commit' step made, as the harness or git's output named it (abbreviated hex), else ''. Links the session to it (docs/outcomes.md). */
    VcsCommit: col(t.string),
    // Guard interventions (migration 0020), set on `fulcrum.guard` spans only; '' / 0 on every other span.
    /** The guard policy that acted (GUARD_POLICIES in @fulcrum/vocab); '' when the span named none we know. */
    GuardPolicy: col(t.lowString),
    /** observed | warned | denied | stopped; '' when the span named none we know. */
    GuardDecision: col(t.lowString),
    /** The guard's estimate of what a denied or stopped call would have cost, USD (0 when unknown or implausible). */
    GuardSavedUsd: col(t.float64),
  },
  engine: 'ReplacingMergeTree(Version)',
  partitionBy: 'toYYYYMM(Timestamp)',
  orderBy: '(Project, SessionId, TraceId, SpanId)',
  indexes: ['INDEX idx_timestamp Timestamp TYPE minmax GRANULARITY 1', 'INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1'],
  settings: 'index_granularity = 8192',
});

/** One stored span, as the normalisers produce it. Field names match the columns. */
export type SpanRow = RowOf<typeof SPANS.columns>;

export const SPANS_TABLE = SPANS.name;
/** Insert column list, in the order rows are written. */
export const SPAN_COLUMNS = SPANS.insertColumns;

/** CREATE TABLE for spans as declared, under another name when given (tests, benchmarks). */
export function spansTableDdl(table = SPANS_TABLE, engine?: string): string {
  return SPANS.createSql(table, engine);
}

/** A row with every column at its empty value, for normalisers to fill. */
export function emptySpanRow(): SpanRow {
  const row = SPANS.emptyRow();
  row.SpanKind = 'Internal';
  row.StatusCode = 'Unset';
  row.Project = 'default';
  row.SpanType = 'other';
  row.Priced = true;
  row.Success = true;
  row.Source = 'otlp-traces';
  row.Version = 1;
  return row;
}
