import type { SpanRow } from '@fulcrum/store';
import type { DecodedSpan } from '../../otlp/model.js';
import { argsKey, geminiToolKey } from './gemini-keys.js';
import { derivedSpanId } from './ids.js';
import { SIGNAL, type PendingRow } from './join.js';
import { fillToolDetail, obj, parseJson, toolSpanType } from '../tool-detail.js';

/**
 * Gemini CLI's gen_ai.* spans. `tool_call` spans take the key of their
 * gemini_cli.tool_call event (trace, function, arguments). Model usage is
 * counted from gemini_cli.api_response, which has the cached and thought
 * tokens the llm_call span lacks and shares no key with it, so the span's
 * token copy is cleared.
 */
export function geminiSpan(row: SpanRow, span: DecodedSpan): PendingRow[] {
  const a = span.attributes;
  row.InputTokens = row.OutputTokens = row.CacheReadTokens = row.CacheWriteTokens = 0;
  row.CostUsd = 0;
  // gen_ai.agent.name names Gemini CLI itself on every span, not a subagent.
  if (row.AgentName === 'gemini-cli') row.AgentName = '';
  if (row.SpanType === 'llm') row.SpanType = 'other';
  if (span.name === 'tool_call' && a['gen_ai.tool.name']) {
    const input = obj(parseJson(a['gen_ai.input.messages']));
    const args = input.args;
    row.ToolName = a['gen_ai.tool.name'];
    row.ToolCallId = a['gen_ai.tool.call_id'] ?? row.ToolCallId;
    row.SpanType = toolSpanType(row.ToolName);
    const status = obj(parseJson(a['gen_ai.output.messages'])).status;
    if (status === 'error' || status === 'cancelled') row.Success = false;
    fillToolDetail(row, args);
    row.SpanAttributes = { ...row.SpanAttributes, 'fulcrum.otel.span_id': row.SpanId };
    row.SpanId = derivedSpanId(row.SessionId, 'tool', geminiToolKey(span.traceId, row.ToolName, argsKey(args)));
  } else if (row.SpanType === 'tool') row.SpanType = 'other';
  return [{ row, signal: SIGNAL.TRACE }];
}
