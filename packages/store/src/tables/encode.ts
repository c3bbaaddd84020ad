import type { SpanRow } from './span-row.js';

/** Nanoseconds-since-epoch string → the "seconds.nanoseconds" text ClickHouse parses into DateTime64(9). */
export function nanosToDateTime64(nanos: string): string {
  const s = nanos.length > 9 ? nanos : nanos.padStart(10, '0');
  // Seconds are padded to 10 digits: ClickHouse reads a shorter run ("0.000000000", any time
  // before 1973) as the start of a YYYY-MM-DD date and refuses the whole INSERT.
  const secs = s.slice(0, s.length - 9).padStart(10, '0');
  return `${secs}.${s.slice(s.length - 9)}`;
}

/** One row's values in SPAN_COLUMNS order, for JSONCompactEachRow. */
export function encodeSpanRow(r: SpanRow): unknown[] {
  const ev = r.Events;
  const ln = r.Links;
  return [
    nanosToDateTime64(r.Timestamp), r.TraceId, r.SpanId, r.ParentSpanId, r.TraceState, r.SpanName, r.SpanKind,
    r.ServiceName, r.ResourceAttributes, r.ScopeName, r.ScopeVersion, r.SpanAttributes, r.Duration,
    r.StatusCode, r.StatusMessage,
    ev.map((e) => nanosToDateTime64(e.Timestamp)), ev.map((e) => e.Name), ev.map((e) => e.Attributes),
    ln.map((l) => l.TraceId), ln.map((l) => l.SpanId), ln.map((l) => l.TraceState), ln.map((l) => l.Attributes),
    r.Project, r.SessionId, r.SpanType, r.Team, r.Repository, r.Harness, r.UseCase, r.UserId,
    r.AgentName, r.ToolName, r.ToolCallId, r.McpServer, r.SkillName, r.Model,
    r.InputTokens, r.OutputTokens, r.CacheReadTokens, r.CacheWriteTokens, r.CostUsd, r.Priced,
    r.FilePath, r.ReadOffset, r.ReadLimit, r.Command, r.SearchPattern, r.ArgsHash, r.ResultSize,
    r.LinesAdded, r.LinesRemoved, r.Success, r.ErrorType, r.FileUnchanged, r.Source, r.Truncated,
    r.Version,
  ];
}
