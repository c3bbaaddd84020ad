import { emptySpanRow, type SpanRow } from '@fulcrum/store';
import type { DecodedSpan } from '../../otlp/model.js';
import { count, flag } from '../attrs.js';
import { derivedSpanId } from './ids.js';
import { SIGNAL, type PendingRow } from './join.js';
import type { PriceTable } from '@fulcrum/vocab';
import { priceRow } from '../price.js';
import { countLines, parseJson, structuredPatchDelta, toolSpanType } from '../tool-detail.js';

/**
 * Claude Code's beta trace spans. The call spans (llm_request, tool) take the
 * id their log event derives (request_id, tool_use_id) so both reports of a
 * call are one row; the original id stays in fulcrum.otel.span_id. A
 * tool.execution span keeps its own row and also hands its outcome to the
 * tool's row as a patch.
 */
export function claudeCodeSpan(row: SpanRow, span: DecodedSpan, prices?: PriceTable): PendingRow[] {
  const a = span.attributes;
  switch (span.name) {
    case 'claude_code.llm_request': {
      row.SpanType = 'llm';
      row.Model = a.model || row.Model;
      row.InputTokens = count(a.input_tokens ?? '');
      row.OutputTokens = count(a.output_tokens ?? '');
      row.CacheReadTokens = count(a.cache_read_tokens ?? '');
      row.CacheWriteTokens = count(a.cache_creation_tokens ?? '');
      row.Success = flag(a.success ?? '') !== false && span.statusCode !== 2;
      priceRow(row, prices);
      if (a.request_id) rekey(row, 'llm', a.request_id);
      return [{ row, signal: SIGNAL.TRACE }];
    }
    case 'claude_code.tool':
      toolSpan(row, span);
      if (a.tool_use_id) rekey(row, 'tool', a.tool_use_id);
      return [{ row, signal: SIGNAL.TRACE }];
    case 'claude_code.tool.execution': {
      if (!a.tool_use_id) return [{ row, signal: SIGNAL.TRACE }];
      const toolId = derivedSpanId(row.SessionId, 'tool', a.tool_use_id);
      row.ParentSpanId = toolId;
      const patch = emptySpanRow();
      Object.assign(patch, { Project: row.Project, SessionId: row.SessionId, TraceId: row.TraceId, SpanId: toolId, Source: 'otlp-traces', Harness: row.Harness });
      patch.Success = flag(a.success ?? '') !== false && span.statusCode !== 2;
      if (!patch.Success) {
        patch.ErrorType = a['error.type'] || 'error';
        patch.StatusMessage = a.error || span.statusMessage;
        patch.StatusCode = 'Error';
      }
      return [{ row, signal: SIGNAL.TRACE }, { row: patch, signal: SIGNAL.PATCH, patch: true }];
    }
    default:
      return [{ row, signal: SIGNAL.TRACE }];
  }
}

function rekey(row: SpanRow, kind: string, key: string): void {
  row.SpanAttributes = { ...row.SpanAttributes, 'fulcrum.otel.span_id': row.SpanId };
  row.SpanId = derivedSpanId(row.SessionId, kind, key);
}

function toolSpan(row: SpanRow, span: DecodedSpan): void {
  const a = span.attributes;
  row.ToolName = a.tool_name ?? '';
  row.ToolCallId = a.tool_use_id ?? '';
  row.SpanType = toolSpanType(row.ToolName);
  if (row.ToolName.startsWith('mcp__')) row.McpServer = row.ToolName.split('__')[1] ?? '';
  row.FilePath ||= a.file_path ?? '';
  row.Command ||= a.full_command ?? '';
  row.SkillName ||= a.skill_name ?? '';
  row.AgentName ||= a.subagent_type ?? '';
  const output = span.events.find((e) => e.name === 'tool.output')?.attributes;
  if (!output) return;
  if (output.diff) {
    const d = structuredPatchDelta(parseJson(output.diff));
    row.LinesAdded = d.added;
    row.LinesRemoved = d.removed;
  } else if (row.ToolName === 'Write' && output.content !== undefined) {
    row.LinesAdded = countLines(output.content);
  }
  const body = output.content ?? output.output;
  if (body !== undefined) row.ResultSize ||= Buffer.byteLength(body);
}
