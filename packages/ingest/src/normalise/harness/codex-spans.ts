import type { SpanRow } from '@fulcrum/store';
import type { DecodedSpan } from '../../otlp/model.js';
import { derivedSpanId } from './ids.js';
import { SIGNAL, type PendingRow } from './join.js';
import { toolSpanType } from '../tool-detail.js';

/**
 * Codex spans. Its tool span (`exec_command`, …, with call_id) becomes the
 * tool call's row, keyed like the codex.tool_result event. Model usage is
 * counted from the response.completed event, which names the model and the
 * conversation; the `handle_responses` span repeats those tokens without
 * either, so its copy is cleared to keep each call counted once.
 */
export function codexSpan(row: SpanRow, span: DecodedSpan): PendingRow[] {
  const a = span.attributes;
  row.InputTokens = row.OutputTokens = row.CacheReadTokens = row.CacheWriteTokens = 0;
  row.CostUsd = 0;
  if (row.SpanType === 'llm') row.SpanType = 'other';
  if (a.call_id && a.tool_name && a['codex.tool.phase'] !== undefined) {
    row.ToolName = a.tool_name;
    row.ToolCallId = a.call_id;
    row.SpanType = toolSpanType(row.ToolName);
    row.Success = a.aborted !== 'true' && span.statusCode !== 2;
    row.SpanAttributes = { ...row.SpanAttributes, 'fulcrum.otel.span_id': row.SpanId };
    row.SpanId = derivedSpanId(row.SessionId, 'tool', a.call_id);
  }
  return [{ row, signal: SIGNAL.TRACE }];
}
