import type { DecodedLogRecord } from '../../otlp/model-logs-metrics.js';
import type { Attributes, DecodedScope } from '../../otlp/model.js';
import { count, flag } from '../attrs.js';
import { pickAttr } from './harness.js';
import { SIGNAL, type PendingRow } from './join.js';
import { logRow, logTime } from './log-row.js';
import type { PriceTable } from '@fulcrum/vocab';
import { excludeCachedInput, priceRow } from '../price.js';
import { argsKey, geminiToolKey } from './gemini-keys.js';
import { fillToolDetail, obj, parseJson, toolSpanType } from '../tool-detail.js';

/** Full prompts and responses, and startup diagnostics: large and analysed nowhere. */
const SKIPPED = new Set(['gemini_cli.api_request', 'gen_ai.client.inference.operation.details', 'gemini_cli.startup_stats', 'gemini_cli.config']);

/**
 * Gemini CLI events → rows. Unset attributes arrive as `{}`, so values are
 * read with pickAttr. Usage carries no cost and is priced here; Gemini bills
 * thoughts as output, so they count as output tokens.
 */
export function geminiLog(r: DecodedLogRecord, resource: Attributes, scope: DecodedScope, project: string, prices?: PriceTable): PendingRow | undefined {
  const a = r.attributes;
  const event = a['event.name'] ?? '';
  if (!event || SKIPPED.has(event)) return undefined;
  const row = (kind: string, key: string) => logRow(r, resource, scope, project, 'gemini-cli', event, kind, key);
  if (event === 'gemini_cli.api_response' || event === 'gemini_cli.api_error') {
    const out = row('llm', `${logTime(r)}:${pickAttr(a, 'prompt_id')}:${pickAttr(a, 'model')}`);
    out.SpanType = 'llm';
    out.Model = pickAttr(a, 'model');
    out.InputTokens = count(pickAttr(a, 'input_token_count'));
    out.OutputTokens = count(pickAttr(a, 'output_token_count')) + count(pickAttr(a, 'thoughts_token_count'));
    out.CacheReadTokens = count(pickAttr(a, 'cached_content_token_count'));
    const status = Number(pickAttr(a, 'status_code') || 200);
    out.Success = event === 'gemini_cli.api_response' && status < 400;
    if (!out.Success) out.ErrorType = pickAttr(a, 'error_type', 'error') || String(status);
    excludeCachedInput(out);
    priceRow(out, prices);
    return { row: out, signal: SIGNAL.LOG };
  }
  if (event === 'gemini_cli.tool_call') {
    const name = pickAttr(a, 'function_name');
    const args = parseJson(pickAttr(a, 'function_args'));
    const out = row('tool', geminiToolKey(r.traceId || logTime(r), name, argsKey(args)));
    out.ToolName = name;
    out.McpServer = pickAttr(a, 'mcp_server_name');
    out.SpanType = out.McpServer ? 'mcp' : toolSpanType(name);
    out.ResultSize = count(pickAttr(a, 'content_length'));
    const meta = obj(parseJson(pickAttr(a, 'metadata')));
    // Gemini reports success=true for a shell command that exited non-zero; metadata has the exit code.
    const exit = typeof meta.exitCode === 'number' ? meta.exitCode : undefined;
    out.Success = flag(pickAttr(a, 'success')) !== false && meta.isError !== true && (exit === undefined || exit === 0);
    if (!out.Success) {
      out.ErrorType = exit ? `exit_code:${exit}` : pickAttr(a, 'error_type') || 'error';
      out.StatusCode = 'Error';
    }
    // The user declined the call at Gemini's confirmation prompt: typed like Claude Code's and Codex's refusals.
    if (pickAttr(a, 'decision') === 'reject') {
      out.Success = false;
      out.ErrorType = 'decision:reject';
      out.StatusCode = 'Error';
    }
    if (typeof meta.model_added_lines === 'number') out.LinesAdded = meta.model_added_lines + (Number(meta.user_added_lines) || 0);
    if (typeof meta.model_removed_lines === 'number') out.LinesRemoved = meta.model_removed_lines + (Number(meta.user_removed_lines) || 0);
    fillToolDetail(out, args);
    return { row: out, signal: SIGNAL.LOG };
  }
  return { row: row('event', `${event}:${logTime(r)}`), signal: SIGNAL.LOG };
}
