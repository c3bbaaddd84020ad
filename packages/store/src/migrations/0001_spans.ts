import type { Migration } from './migration.js';

/** Frozen: the spans table: otel_traces columns plus typed columns, as first released. Never edit; change the schema in a new migration. */
export const migration0001: Migration = {
  id: 1,
  name: 'spans',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS spans (
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
) ENGINE = ReplacingMergeTree(Version)
PARTITION BY toYYYYMM(Timestamp)
ORDER BY (Project, SessionId, TraceId, SpanId)
SETTINGS index_granularity = 8192`,
  ],
};
