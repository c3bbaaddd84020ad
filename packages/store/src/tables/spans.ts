/**
 * The spans table: the OpenTelemetry collector's `otel_traces` columns (so
 * Grafana's ClickHouse plugin trace view reads it unchanged) plus typed columns
 * for what Fulcrum analyses.
 *
 * Engine and key, and why:
 * - ReplacingMergeTree(Version) keyed by (Project, SessionId, TraceId, SpanId):
 *   OTLP clients retry by design, so a span delivered twice collapses to one
 *   row. Reads use FINAL (or GROUP BY the key) so duplicates not yet merged are
 *   never counted twice. Version lets a richer copy of the same call (the same
 *   tool call reported by both logs and traces) win over a thinner one.
 * - ORDER BY starts with Project then SessionId: every analysis is scoped by
 *   project and most read one session's spans together (reconstruction, loops,
 *   re-reads), which becomes one contiguous range of granules.
 * - PARTITION BY month plus a minmax index on Timestamp serve per-project time
 *   ranges (reports, dashboards) by pruning whole parts. Skip indexes cost
 *   insert speed, so there is only this one and a bloom filter on TraceId for
 *   Grafana's trace-by-id lookup.
 */
export const SPANS_TABLE = 'spans';

export function spansTableDdl(table = SPANS_TABLE, engine = 'ReplacingMergeTree(Version)'): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
  TraceId String CODEC(ZSTD(1)),
  SpanId String CODEC(ZSTD(1)),
  ParentSpanId String CODEC(ZSTD(1)),
  TraceState String CODEC(ZSTD(1)),
  SpanName LowCardinality(String) CODEC(ZSTD(1)),
  SpanKind LowCardinality(String) CODEC(ZSTD(1)),
  ServiceName LowCardinality(String) CODEC(ZSTD(1)),
  ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  ScopeName String CODEC(ZSTD(1)),
  ScopeVersion String CODEC(ZSTD(1)),
  SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  Duration UInt64 CODEC(ZSTD(1)),
  StatusCode LowCardinality(String) CODEC(ZSTD(1)),
  StatusMessage String CODEC(ZSTD(1)),
  Events Nested (
    Timestamp DateTime64(9),
    Name LowCardinality(String),
    Attributes Map(LowCardinality(String), String)
  ) CODEC(ZSTD(1)),
  Links Nested (
    TraceId String,
    SpanId String,
    TraceState String,
    Attributes Map(LowCardinality(String), String)
  ) CODEC(ZSTD(1)),
  Project LowCardinality(String),
  SessionId String,
  SpanType LowCardinality(String),
  Team LowCardinality(String),
  Repository LowCardinality(String),
  Harness LowCardinality(String),
  UseCase LowCardinality(String),
  UserId String,
  AgentName LowCardinality(String),
  ToolName LowCardinality(String),
  ToolCallId String,
  McpServer LowCardinality(String),
  SkillName LowCardinality(String),
  Model LowCardinality(String),
  InputTokens UInt64,
  OutputTokens UInt64,
  CacheReadTokens UInt64,
  CacheWriteTokens UInt64,
  CostUsd Float64,
  Priced Bool,
  FilePath String,
  ReadOffset UInt32,
  ReadLimit UInt32,
  Command String,
  SearchPattern String,
  ArgsHash String,
  ResultSize UInt64,
  LinesAdded UInt32,
  LinesRemoved UInt32,
  Success Bool,
  ErrorType LowCardinality(String),
  FileUnchanged Bool,
  Source LowCardinality(String),
  Truncated Bool,
  Version UInt64,
  INDEX idx_timestamp Timestamp TYPE minmax GRANULARITY 1,
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = ${engine}
PARTITION BY toYYYYMM(Timestamp)
ORDER BY (Project, SessionId, TraceId, SpanId)
SETTINGS index_granularity = 8192`;
}

/** Insert column list, in the order rows are written (see SpanRow). */
export const SPAN_COLUMNS = [
  'Timestamp', 'TraceId', 'SpanId', 'ParentSpanId', 'TraceState', 'SpanName', 'SpanKind',
  'ServiceName', 'ResourceAttributes', 'ScopeName', 'ScopeVersion', 'SpanAttributes', 'Duration',
  'StatusCode', 'StatusMessage', 'Events.Timestamp', 'Events.Name', 'Events.Attributes',
  'Links.TraceId', 'Links.SpanId', 'Links.TraceState', 'Links.Attributes',
  'Project', 'SessionId', 'SpanType', 'Team', 'Repository', 'Harness', 'UseCase', 'UserId',
  'AgentName', 'ToolName', 'ToolCallId', 'McpServer', 'SkillName', 'Model',
  'InputTokens', 'OutputTokens', 'CacheReadTokens', 'CacheWriteTokens', 'CostUsd', 'Priced',
  'FilePath', 'ReadOffset', 'ReadLimit', 'Command', 'SearchPattern', 'ArgsHash', 'ResultSize',
  'LinesAdded', 'LinesRemoved', 'Success', 'ErrorType', 'FileUnchanged', 'Source', 'Truncated',
  'Version',
] as const;
