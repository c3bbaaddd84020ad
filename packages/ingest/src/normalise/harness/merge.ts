import type { SpanRow, SpanType } from '@fulcrum/store';

/** More specific types win when two signals classify one call differently. */
const TYPE_RANK: Record<SpanType, number> = { other: 0, tool: 1, llm: 2, mcp: 3, skill: 3, agent: 3, session: 4 };

/**
 * The union of two reports of one call. `base` wins where both know a value
 * (callers pass the log row as base: it carries success, cost and arguments);
 * the other fills what base lacks. Trace structure (parent, kind, events)
 * comes from whichever row has it.
 */
export function mergeRows(base: SpanRow, other: SpanRow): SpanRow {
  const m: SpanRow = { ...base };
  const rec = m as unknown as Record<string, unknown>;
  const o = other as unknown as Record<string, unknown>;
  for (const k of Object.keys(m)) {
    const v = rec[k];
    const empty = v === '' || v === 0 || v === '0' || (Array.isArray(v) && v.length === 0);
    if (empty && o[k] !== undefined) rec[k] = o[k];
  }
  if (base.ToolName === 'mcp_tool' && other.ToolName) m.ToolName = other.ToolName;
  if (TYPE_RANK[other.SpanType] > TYPE_RANK[base.SpanType]) m.SpanType = other.SpanType;
  if (other.Source === 'otlp-traces' && other.SpanName) m.SpanName = other.SpanName;
  if (other.ParentSpanId) m.ParentSpanId = other.ParentSpanId;
  if (base.SpanKind === 'Internal' && other.SpanKind !== 'Internal') m.SpanKind = other.SpanKind;
  m.Timestamp = minTime(base.Timestamp, other.Timestamp);
  m.Duration = Math.max(base.Duration, other.Duration);
  m.Success = base.Success && other.Success;
  if (base.StatusCode === 'Unset') m.StatusCode = other.StatusCode;
  m.FileUnchanged = base.FileUnchanged || other.FileUnchanged;
  m.Truncated = base.Truncated || other.Truncated;
  m.SpanAttributes = { ...other.SpanAttributes, ...base.SpanAttributes };
  m.Events = base.Events.length > 0 ? base.Events : other.Events;
  m.Links = base.Links.length > 0 ? base.Links : other.Links;
  m.Source = [...new Set([...base.Source.split('+'), ...other.Source.split('+')])].sort().join('+');
  return m;
}

function minTime(a: string, b: string): string {
  if (a === '0') return b;
  if (b === '0') return a;
  return BigInt(a) <= BigInt(b) ? a : b;
}
