import type { SpanRow } from '@fulcrum/store';
import type { PriceTable } from '@fulcrum/vocab';
import { excludeCachedInput, priceRow } from '../normalise/price.js';
import { exitCodeOf, fillToolDetail, obj, parseJson, toolSpanType } from '../normalise/tool-detail.js';
import { commitInOutput, isoToNanos, issuedBy, promptRow, textLength, transcriptRow, type LineResult, type ParserSnapshot, type TranscriptParser } from './entry.js';
import { derivedSpanId } from '../normalise/harness/ids.js';

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Gemini CLI chats (tmp/<project>/chats/session-*.jsonl): a header line names
 * the session; a `gemini` message is written again when its tool calls
 * complete, so calls and usage are keyed by message and call id and counted
 * once. Tool results carry "Exit Code: N" for failed shell commands.
 */
export function geminiParser(project: string, prices?: PriceTable, resume: ParserSnapshot = {}): TranscriptParser {
  let sessionId = resume.sessionId ?? '';
  const seen = new Set<string>(resume.seen);
  return {
    snapshot: () => ({ sessionId, seen: [...seen] }),
    line(value) {
      const d = obj(value);
      const out: LineResult = { rows: [] };
      if (typeof d.sessionId === 'string') sessionId = d.sessionId;
      if (!sessionId) return out;
      out.sessionId = sessionId;
      if (d.type === 'user' && typeof d.id === 'string' && isHumanPrompt(d.content) && !seen.has(`prompt:${d.id}`)) {
        seen.add(`prompt:${d.id}`);
        out.rows.push(promptRow(project, 'gemini-cli', sessionId, d.id, 'gemini_cli.user_prompt', isoToNanos(d.timestamp), textLength(d.content)));
        return out;
      }
      if (d.type !== 'gemini' || typeof d.id !== 'string') return out;
      const time = isoToNanos(d.timestamp);
      const t = obj(d.tokens);
      if (!seen.has(`llm:${d.id}`) && d.tokens) {
        seen.add(`llm:${d.id}`);
        const row = transcriptRow(project, 'gemini-cli', sessionId, 'llm', d.id, 'gemini_cli.api_response', time);
        row.SpanType = 'llm';
        row.Model = typeof d.model === 'string' ? d.model : '';
        row.InputTokens = n(t.input);
        row.OutputTokens = n(t.output) + n(t.thoughts);
        row.CacheReadTokens = n(t.cached);
        excludeCachedInput(row);
        priceRow(row, prices);
        out.rows.push(row);
      }
      const calls = Array.isArray(d.toolCalls) ? d.toolCalls : (parseJson(typeof d.toolCalls === 'string' ? d.toolCalls : undefined) as unknown[] | undefined) ?? [];
      let nth = 0;
      for (const c of calls.map(obj)) {
        if (typeof c.id !== 'string' || seen.has(`tool:${c.id}`)) continue;
        seen.add(`tool:${c.id}`);
        const row = toolRow(project, sessionId, c, time);
        // The message that lists a call is the response that asked for it.
        if (d.tokens) issuedBy(row, { SpanId: derivedSpanId(sessionId, 'llm', d.id), Timestamp: time }, nth++);
        out.rows.push(row);
      }
      return out;
    },
    end: () => [],
  };
}

/** A user message the human typed: text parts, no function responses (tool results travel as user messages), not the CLI's session context. */
function isHumanPrompt(content: unknown): boolean {
  if (typeof content === 'string') return content.length > 0 && !content.startsWith('<session_context>');
  if (!Array.isArray(content)) return false;
  const parts = content.map(obj);
  const text = parts.find((p) => typeof p.text === 'string');
  return text !== undefined && !(text.text as string).startsWith('<session_context>') && !parts.some((p) => p.functionResponse !== undefined);
}

function toolRow(project: string, sessionId: string, c: Record<string, unknown>, time: string): SpanRow {
  const row = transcriptRow(project, 'gemini-cli', sessionId, 'tool', c.id as string, 'tool_call', isoToNanos(c.timestamp) !== '0' ? isoToNanos(c.timestamp) : time);
  row.ToolName = typeof c.name === 'string' ? c.name : '';
  row.ToolCallId = c.id as string;
  row.SpanType = toolSpanType(row.ToolName);
  fillToolDetail(row, c.args);
  const output = JSON.stringify(c.result ?? '');
  const text = output.replace(/\\n/g, '\n');
  const exit = exitCodeOf(text);
  row.VcsCommit = commitInOutput(row, text);
  const failed = c.status === 'error' || c.status === 'cancelled' || (exit !== undefined && exit !== 0);
  if (failed) Object.assign(row, { Success: false, ErrorType: exit ? `exit_code:${exit}` : String(c.status), StatusCode: 'Error' });
  row.ResultSize = Buffer.byteLength(output);
  return row;
}
