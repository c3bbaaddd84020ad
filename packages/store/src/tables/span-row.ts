/** Mirrors SpanType in @fulcrum/sdk/conventions; the store depends on no other package of ours. */
export type SpanType = 'session' | 'agent' | 'llm' | 'tool' | 'skill' | 'mcp' | 'other';

/** One stored span, as the normalisers produce it. Field names match the columns. */
export interface SpanRow {
  /** Nanoseconds since the epoch, as a decimal string (exceeds 2^53). */
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  /** Nanoseconds. */
  Duration: number;
  StatusCode: string;
  StatusMessage: string;
  Events: { Timestamp: string; Name: string; Attributes: Record<string, string> }[];
  Links: { TraceId: string; SpanId: string; TraceState: string; Attributes: Record<string, string> }[];
  Project: string;
  SessionId: string;
  SpanType: SpanType;
  Team: string;
  Repository: string;
  Harness: string;
  UseCase: string;
  UserId: string;
  AgentName: string;
  ToolName: string;
  ToolCallId: string;
  McpServer: string;
  SkillName: string;
  Model: string;
  /** Uncached input tokens: input + output + cache read + cache write is the call's total, for every source. */
  InputTokens: number;
  OutputTokens: number;
  CacheReadTokens: number;
  CacheWriteTokens: number;
  CostUsd: number;
  Priced: boolean;
  FilePath: string;
  ReadOffset: number;
  ReadLimit: number;
  Command: string;
  SearchPattern: string;
  ArgsHash: string;
  ResultSize: number;
  LinesAdded: number;
  LinesRemoved: number;
  Success: boolean;
  ErrorType: string;
  FileUnchanged: boolean;
  /** otlp-traces | otlp-logs | transcript | sdk */
  Source: string;
  Truncated: boolean;
  /** Higher wins when the same span key arrives more than once. */
  Version: number;
}

/** A row with every analysed column at its empty value, for normalisers to fill. */
export function emptySpanRow(): SpanRow {
  return {
    Timestamp: '0', TraceId: '', SpanId: '', ParentSpanId: '', TraceState: '', SpanName: '',
    SpanKind: 'Internal', ServiceName: '', ResourceAttributes: {}, ScopeName: '', ScopeVersion: '',
    SpanAttributes: {}, Duration: 0, StatusCode: 'Unset', StatusMessage: '', Events: [], Links: [],
    Project: 'default', SessionId: '', SpanType: 'other', Team: '', Repository: '', Harness: '',
    UseCase: '', UserId: '', AgentName: '', ToolName: '', ToolCallId: '', McpServer: '', SkillName: '',
    Model: '', InputTokens: 0, OutputTokens: 0, CacheReadTokens: 0, CacheWriteTokens: 0, CostUsd: 0,
    Priced: true, FilePath: '', ReadOffset: 0, ReadLimit: 0, Command: '', SearchPattern: '',
    ArgsHash: '', ResultSize: 0, LinesAdded: 0, LinesRemoved: 0, Success: true, ErrorType: '',
    FileUnchanged: false, Source: 'otlp-traces', Truncated: false, Version: 1,
  };
}
