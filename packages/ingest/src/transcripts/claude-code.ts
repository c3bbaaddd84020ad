import type { SpanRow } from '@fulcrum/store';
import { commitIdOf, GENERAL, type PriceTable } from '@fulcrum/vocab';
import { priceRow } from '../normalise/price.js';
import { countLines, fillToolDetail, obj, structuredPatchDelta, toolSpanType } from '../normalise/tool-detail.js';
import { between, isoToNanos, issuedBy, promptRow, textLength, transcriptRow, type LineResult, type ParserSnapshot, type TranscriptParser } from './entry.js';
import { derivedSpanId } from '../normalise/harness/ids.js';

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Claude Code session files (projects/<dir>/<session>.jsonl and
 * <session>/subagents/agent-*.jsonl). An assistant message is split over one
 * line per content block, each repeating its usage, and sidechains replay
 * messages: usage is counted once per request id (else message id), by
 * keying the row on it. Tool uses wait for their result line.
 */
export function claudeCodeParser(project: string, agentType = '', prices?: PriceTable, resume: ParserSnapshot = {}): TranscriptParser {
  const open = new Map<string, SpanRow>(resume.open);
  const seen = new Set<string>(resume.seen);
  // Tool uses seen per request: the message is split over lines, one content block each.
  const issued = new Map<string, number>(resume.issued);
  return {
    snapshot: () => ({ open: [...open], seen: [...seen], issued: [...issued] }),
    line(value) {
      const d = obj(value);
      const sessionId = typeof d.sessionId === 'string' ? d.sessionId : '';
      const out: LineResult = { rows: [], sessionId: sessionId || undefined };
      if (!sessionId) return out;
      const time = isoToNanos(d.timestamp);
      const m = obj(d.message);
      const content = Array.isArray(m.content) ? (m.content as unknown[]) : [];
      if (d.type === 'assistant') {
        const key = (typeof d.requestId === 'string' && d.requestId) || (typeof m.id === 'string' ? m.id : '');
        if (key && !seen.has(key) && m.usage) {
          seen.add(key);
          out.rows.push(llmRow(project, sessionId, key, m, time, agentType, prices));
        }
        const cwd = typeof d.cwd === 'string' ? d.cwd : '';
        for (const b of content.map(obj)) {
          if (b.type !== 'tool_use' || typeof b.id !== 'string' || open.has(b.id)) continue;
          const row = toolRow(project, sessionId, b, time, agentType, cwd);
          if (key) {
            const nth = issued.get(key) ?? 0;
            issued.set(key, nth + 1);
            issuedBy(row, { SpanId: derivedSpanId(sessionId, 'llm', key), Timestamp: time }, nth);
          }
          open.set(b.id, row);
        }
      } else if (d.type === 'user') {
        if (isHumanPrompt(d, m, content, agentType)) {
          const key = (typeof d.promptId === 'string' && d.promptId) || (typeof d.uuid === 'string' ? d.uuid : time);
          if (!seen.has(`prompt:${key}`)) {
            seen.add(`prompt:${key}`);
            out.rows.push(promptRow(project, 'claude-code', sessionId, key, 'claude_code.user_prompt', time, textLength(m.content)));
          }
        }
        for (const b of content.map(obj)) {
          if (b.type !== 'tool_result' || typeof b.tool_use_id !== 'string') continue;
          const row = open.get(b.tool_use_id);
          if (!row) continue;
          open.delete(b.tool_use_id);
          finish(row, b, obj(d.toolUseResult), d.toolUseResult, time);
          out.rows.push(row);
        }
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

/**
 * A user line the human typed: text, not a tool result, not a meta line the
 * harness injected (caveats, command output), and not a subagent's brief
 * (sidechain lines, or a subagent's own file).
 */
function isHumanPrompt(d: Record<string, unknown>, m: Record<string, unknown>, content: unknown[], agentType: string): boolean {
  if (agentType || d.isMeta === true || d.isSidechain === true || m.role !== 'user') return false;
  if (typeof m.content === 'string') return m.content.length > 0;
  return content.some((b) => obj(b).type === 'text') && !content.some((b) => obj(b).type === 'tool_result');
}

function llmRow(project: string, sessionId: string, key: string, m: Record<string, unknown>, time: string, agentType: string, prices: PriceTable | undefined): SpanRow {
  const u = obj(m.usage);
  const row = transcriptRow(project, 'claude-code', sessionId, 'llm', key, 'claude_code.api_request', time);
  row.SpanType = 'llm';
  row.Model = typeof m.model === 'string' ? m.model : '';
  row.AgentName = agentType;
  row.InputTokens = n(u.input_tokens);
  row.OutputTokens = n(u.output_tokens);
  row.CacheReadTokens = n(u.cache_read_input_tokens);
  row.CacheWriteTokens = n(u.cache_creation_input_tokens);
  priceRow(row, prices);
  return row;
}

/** @param cwd the working directory the entry was written in ('' when unknown), against which paths are stored relative. */
function toolRow(project: string, sessionId: string, b: Record<string, unknown>, time: string, agentType: string, cwd: string): SpanRow {
  const row = transcriptRow(project, 'claude-code', sessionId, 'tool', b.id as string, 'claude_code.tool', time);
  if (cwd) row.SpanAttributes[GENERAL.PROCESS_WORKING_DIRECTORY] = cwd;
  row.ToolName = typeof b.name === 'string' ? b.name : '';
  row.ToolCallId = b.id as string;
  row.SpanType = toolSpanType(row.ToolName);
  if (row.ToolName.startsWith('mcp__')) row.McpServer = row.ToolName.split('__')[1] ?? '';
  if (row.SpanType !== 'agent') row.AgentName = agentType;
  fillToolDetail(row, b.input);
  return row;
}

function finish(row: SpanRow, result: Record<string, unknown>, r: Record<string, unknown>, raw: unknown, time: string): void {
  row.Duration = between(row.Timestamp, time);
  row.Success = result.is_error !== true;
  if (!row.Success) {
    row.ErrorType = 'tool_error';
    row.StatusCode = 'Error';
    row.StatusMessage = typeof raw === 'string' ? raw.slice(0, 500) : '';
  }
  // Claude Code answers a re-read of an unchanged file with this result type instead of its content.
  if (r.type === 'file_unchanged') row.FileUnchanged = true;
  if (Array.isArray(r.structuredPatch) && r.structuredPatch.length > 0) {
    const d = structuredPatchDelta(r.structuredPatch);
    row.LinesAdded = d.added;
    row.LinesRemoved = d.removed;
  } else if (r.type === 'create' && typeof r.content === 'string') row.LinesAdded = countLines(r.content);
  // A Bash call that committed: toolUseResult.gitOperation.commit.sha.
  row.VcsCommit = commitIdOf(obj(obj(r.gitOperation).commit).sha);
  if (row.SpanType === 'skill') row.SkillName ||= typeof r.commandName === 'string' ? r.commandName : '';
  if (row.SpanType === 'agent') row.AgentName ||= typeof r.agentType === 'string' ? r.agentType : '';
  const body = result.content;
  row.ResultSize = Buffer.byteLength(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
}
