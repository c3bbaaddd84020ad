import type { SpanRow } from '@fulcrum/store';
import { GENERAL, type PriceTable } from '@fulcrum/vocab';
import { excludeCachedInput, priceRow } from '../normalise/price.js';
import { exitCodeOf, fillToolDetail, obj, parseJson, toolSpanType } from '../normalise/tool-detail.js';
import { between, commitInOutput, isoToNanos, issuedBy, promptRow, textLength, transcriptRow, type LineResult, type ParserSnapshot, type TranscriptParser } from './entry.js';

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Codex rollout files (sessions/YYYY/MM/DD/rollout-*.jsonl): session_meta
 * names the session, turn_context the model, function_call / _output pairs
 * are tool calls (failure read from the exit code), and token_usage_record
 * lines are the model calls, one per response id.
 */
export function codexParser(project: string, prices?: PriceTable, resume: ParserSnapshot = {}): TranscriptParser {
  let sessionId = resume.sessionId ?? '';
  let model = resume.model ?? '';
  // session_meta names the working directory and turn_context repeats it per turn (it can change).
  let cwd = resume.cwd ?? '';
  const open = new Map<string, SpanRow>(resume.open);
  const seen = new Set<string>(resume.seen);
  // Calls a response asked for come before its token_usage_record: they wait for it to name their issuer.
  let unissued: SpanRow[] = (resume.unissued ?? []).map((r) => open.get(r.ToolCallId) ?? r);
  return {
    snapshot: () => ({ sessionId, model, cwd, open: [...open], seen: [...seen], unissued }),
    line(value) {
      const d = obj(value);
      const p = obj(d.payload);
      const time = isoToNanos(d.timestamp);
      const out: LineResult = { rows: [] };
      if (d.type === 'session_meta' && typeof p.id === 'string') sessionId = p.id;
      if (d.type === 'turn_context' && typeof p.model === 'string') model = p.model;
      if ((d.type === 'session_meta' || d.type === 'turn_context') && typeof p.cwd === 'string' && p.cwd) cwd = p.cwd;
      if (!sessionId) return out;
      out.sessionId = sessionId;
      const item = obj(p.item);
      if (d.type === 'event_msg' && p.type === 'item_completed' && item.type === 'UserMessage' && typeof item.id === 'string' && !seen.has(`prompt:${item.id}`)) {
        // The human's message of a turn, as Codex itself types it (environment and instruction messages are other items).
        seen.add(`prompt:${item.id}`);
        out.rows.push(promptRow(project, 'codex', sessionId, item.id, 'codex.user_prompt', time, textLength(item.content)));
      } else if (d.type === 'response_item' && (p.type === 'function_call' || p.type === 'custom_tool_call') && typeof p.call_id === 'string') {
        const row = transcriptRow(project, 'codex', sessionId, 'tool', p.call_id, String(p.name ?? ''), time);
        row.ToolName = String(p.name ?? '');
        row.ToolCallId = p.call_id;
        row.SpanType = toolSpanType(row.ToolName);
        if (cwd) row.SpanAttributes[GENERAL.PROCESS_WORKING_DIRECTORY] = cwd;
        const args = typeof p.arguments === 'string' ? parseJson(p.arguments) ?? p.arguments : p.input;
        fillToolDetail(row, args);
        open.set(p.call_id, row);
        unissued.push(row);
      } else if (d.type === 'response_item' && (p.type === 'function_call_output' || p.type === 'custom_tool_call_output') && typeof p.call_id === 'string') {
        const row = open.get(p.call_id);
        if (row) {
          open.delete(p.call_id);
          const output = typeof p.output === 'string' ? p.output : JSON.stringify(p.output ?? '');
          const exit = exitCodeOf(output);
          row.Duration = between(row.Timestamp, time);
          row.ResultSize = Buffer.byteLength(output);
          row.VcsCommit = commitInOutput(row, output.replace(/\\n/g, '\n'));
          if (exit !== undefined && exit !== 0) Object.assign(row, { Success: false, ErrorType: `exit_code:${exit}`, StatusCode: 'Error' });
          out.rows.push(row);
        }
      } else if (d.type === 'token_usage_record' && typeof p.response_id === 'string' && !seen.has(p.response_id)) {
        seen.add(p.response_id);
        const u = obj(p.usage);
        const row = transcriptRow(project, 'codex', sessionId, 'llm', p.response_id, 'codex.response', time);
        row.SpanType = 'llm';
        row.Model = typeof p.model === 'string' ? p.model : model;
        row.InputTokens = n(u.input_tokens);
        row.OutputTokens = n(u.output_tokens);
        row.CacheReadTokens = n(u.cached_input_tokens);
        row.CacheWriteTokens = n(u.cache_write_input_tokens);
        excludeCachedInput(row);
        priceRow(row, prices);
        out.rows.push(row);
        unissued.forEach((tool, nth) => issuedBy(tool, row, nth));
        unissued = [];
      }
      return out;
    },
    end() {
      const rest = [...open.values()];
      open.clear();
      return rest;
    },
  };
}
