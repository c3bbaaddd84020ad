import type { DecodedLogRecord } from '../../otlp/model-logs-metrics.js';
import type { Attributes, DecodedScope } from '../../otlp/model.js';
import { count, flag } from '../attrs.js';
import { SIGNAL, type PendingRow } from './join.js';
import { logRow, logTime } from './log-row.js';
import type { PriceTable } from '@fulcrum/vocab';
import { excludeCachedInput, priceRow } from '../price.js';
import { exitCodeOf, fillToolDetail, parseJson, toolSpanType } from '../tool-detail.js';

/** Per-token-event noise (one per streamed chunk) and HTTP plumbing the tool and usage events already cover. */
const SKIPPED = new Set(['codex.sse_event', 'codex.api_request', 'codex.websocket_event', 'codex.turn_ttft', 'codex.startup_phase']);

/**
 * Codex events → rows. The event name is the `event.name` attribute (the
 * record's own event_name is a source location). Usage comes only on the
 * `response.completed` SSE event and carries no cost, so it is priced here.
 */
export function codexLog(r: DecodedLogRecord, resource: Attributes, scope: DecodedScope, project: string, prices?: PriceTable): PendingRow | undefined {
  const a = r.attributes;
  const event = a['event.name'] ?? '';
  if (!event.startsWith('codex.')) return undefined;
  const row = (kind: string, key: string) => logRow(r, resource, scope, project, 'codex', event, kind, key);
  if (event === 'codex.sse_event' && a['event.kind'] === 'response.completed' && a.input_token_count !== undefined) {
    const out = row('llm', `${logTime(r)}`);
    out.SpanType = 'llm';
    out.Model = a.model ?? a.slug ?? '';
    out.InputTokens = count(a.input_token_count);
    out.OutputTokens = count(a.output_token_count ?? '');
    out.CacheReadTokens = count(a.cached_token_count ?? '');
    out.CacheWriteTokens = count(a.cache_write_token_count ?? '');
    excludeCachedInput(out);
    priceRow(out, prices);
    return { row: out, signal: SIGNAL.LOG };
  }
  if (SKIPPED.has(event)) return undefined;
  if (event === 'codex.tool_result') return { row: toolResult(row('tool', a.call_id || logTime(r)), a), signal: SIGNAL.LOG };
  if (event === 'codex.tool_decision') {
    if (!a.call_id || /^approved/i.test(a.decision ?? '')) return undefined;
    const out = toolResult(row('tool', a.call_id), a);
    out.Success = false;
    // Typed with who refused it (user or config): delegation counts only the human's.
    out.ErrorType = `decision:${a.decision}${a.source ? `:${a.source.toLowerCase()}` : ''}`;
    return { row: out, signal: SIGNAL.LOG };
  }
  return { row: row('event', `${event}:${logTime(r)}`), signal: SIGNAL.LOG };
}

function toolResult(out: ReturnType<typeof logRow>, a: Attributes) {
  out.ToolName = a.tool_name ?? '';
  out.ToolCallId = a.call_id ?? '';
  out.McpServer = a.mcp_server ?? '';
  out.SpanType = out.McpServer ? 'mcp' : toolSpanType(out.ToolName);
  out.AgentName = a.agent_name && a.agent_name !== '/root' ? a.agent_name : '';
  out.ResultSize = Buffer.byteLength(a.output ?? '');
  // Codex reports success="true" for a command that exited non-zero; the output says how it ended.
  const exit = exitCodeOf(a.output ?? '');
  out.Success = flag(a.success ?? '') !== false && (exit === undefined || exit === 0);
  if (exit !== undefined && exit !== 0) {
    out.ErrorType = `exit_code:${exit}`;
    out.StatusCode = 'Error';
  }
  // Function tools send JSON arguments; the apply_patch tool sends its raw patch text.
  fillToolDetail(out, parseJson(a.arguments) ?? (a.arguments || undefined));
  return out;
}
