import { commitIdOf } from '@fulcrum/vocab';
import type { DecodedLogRecord } from '../../otlp/model-logs-metrics.js';
import type { Attributes, DecodedScope } from '../../otlp/model.js';
import { count, flag, money } from '../attrs.js';
import { SIGNAL, type PendingRow } from './join.js';
import { logRow, logTime } from './log-row.js';
import { fillToolDetail, obj, parseJson, toolSpanType } from '../tool-detail.js';

/**
 * Claude Code answers a re-read of an unchanged file with this fixed text
 * instead of the content (2.1.x), and its tool_result event still says
 * success. With default privacy the event has no text, only the result's
 * byte size, and that size is this text's: the harness's own "unchanged".
 */
const UNCHANGED_READ_ANSWER = 'Wasted call \u2014 file unchanged since your last Read. Refer to that earlier tool_result instead.';
// Sizes are UTF-16 lengths (the em dash counts one), as the harness measures them.
const UNCHANGED_READ_BYTES = UNCHANGED_READ_ANSWER.length;

/**
 * Per-request memory: the skill a skill_activated event named and the agent
 * type a subagent_completed event named, for the Skill / Agent tool_result that
 * follows each (with default privacy the result itself names neither).
 */
export interface ClaudeLogState {
  pendingSkill: Map<string, string>;
  pendingAgent: Map<string, string>;
}

/**
 * Claude Code events (log body `claude_code.<event>`) → rows. Calls are keyed
 * so their trace spans collide: tool results by tool_use_id, API requests by
 * request_id. Values arrive as strings, numbers or booleans; attrs.ts reads all.
 */
export function claudeCodeLog(r: DecodedLogRecord, resource: Attributes, scope: DecodedScope, project: string, state: ClaudeLogState): PendingRow | undefined {
  const a = r.attributes;
  const event = a['event.name'] || r.body.replace(/^claude_code\./, '');
  const name = `claude_code.${event}`;
  const row = (kind: string, key: string) => logRow(r, resource, scope, project, 'claude-code', name, kind, key);
  switch (event) {
    case 'api_request':
    case 'api_error': {
      const out = row('llm', a.request_id || `${logTime(r)}:${a['event.sequence'] ?? ''}`);
      out.SpanType = 'llm';
      out.Model = a.model ?? '';
      out.AgentName = a['agent.name'] ?? '';
      out.InputTokens = count(a.input_tokens ?? '');
      out.OutputTokens = count(a.output_tokens ?? '');
      out.CacheReadTokens = count(a.cache_read_tokens ?? '');
      out.CacheWriteTokens = count(a.cache_creation_tokens ?? '');
      out.CostUsd = money(a.cost_usd ?? '');
      if (event === 'api_error') {
        out.Success = false;
        out.ErrorType = a.status_code || a.error || 'api_error';
        out.StatusMessage = a.error ?? '';
        out.StatusCode = 'Error';
      }
      return { row: out, signal: SIGNAL.LOG };
    }
    case 'tool_result':
      return toolResult(row('tool', a.tool_use_id || `${logTime(r)}`), a, state);
    case 'tool_decision': {
      // An accepted decision adds nothing the result will not say; a rejected one is a failed call with no result.
      if (!a.tool_use_id || a.decision === 'accept') return undefined;
      const out = toolResult(row('tool', a.tool_use_id), a, state).row;
      out.Success = false;
      // Typed with who refused it (user_reject, user_abort, config, hook, ...): delegation counts only the human's.
      out.ErrorType = `decision:${a.decision ?? 'reject'}${a.source ? `:${a.source.toLowerCase()}` : ''}`;
      return { row: out, signal: SIGNAL.LOG };
    }
    case 'skill_activated':
      if (a['skill.name']) state.pendingSkill.set(a['session.id'] ?? '', a['skill.name']);
      return { row: row('event', eventKey(r)), signal: SIGNAL.LOG };
    case 'subagent_completed':
      if (a.agent_type) state.pendingAgent.set(a['session.id'] ?? '', a.agent_type);
      return { row: row('event', eventKey(r)), signal: SIGNAL.LOG };
    default:
      return { row: row('event', eventKey(r)), signal: SIGNAL.LOG };
  }
}

function eventKey(r: DecodedLogRecord): string {
  return `${r.attributes['event.name'] ?? r.body}:${logTime(r)}:${r.attributes['event.sequence'] ?? ''}`;
}

function toolResult(out: ReturnType<typeof logRow>, a: Attributes, state: ClaudeLogState): PendingRow {
  const params = obj(parseJson(a.tool_parameters));
  const server = typeof params.mcp_server_name === 'string' ? params.mcp_server_name : '';
  const tool = typeof params.mcp_tool_name === 'string' ? params.mcp_tool_name : '';
  out.ToolName = a.tool_name === 'mcp_tool' && server && tool ? `mcp__${server}__${tool}` : (a.tool_name ?? '');
  out.ToolCallId = a.tool_use_id ?? '';
  out.SpanType = toolSpanType(out.ToolName);
  out.McpServer = server || (out.ToolName.startsWith('mcp__') ? out.ToolName.split('__')[1] ?? '' : '');
  const success = flag(a.success ?? '');
  out.Success = success !== false;
  out.ErrorType = a.error_type ?? '';
  out.StatusMessage = a.error ?? '';
  if (!out.Success) out.StatusCode = 'Error';
  if (typeof params.skill_name === 'string') out.SkillName = params.skill_name;
  if (typeof params.subagent_type === 'string') out.AgentName = params.subagent_type;
  if (typeof params.full_command === 'string') out.Command = params.full_command;
  // Claude Code names the commit a Bash `git commit` made (with tool details on).
  out.VcsCommit = commitIdOf(params.git_commit_id);
  fillToolDetail(out, parseJson(a.tool_input));
  // With default privacy the argument bytes are all that is known of a call: partial evidence of sameness.
  out.InputSize ||= count(a.tool_input_size_bytes ?? '');
  if (out.ToolName === 'Read' && out.Success && count(a.tool_result_size_bytes ?? '') === UNCHANGED_READ_BYTES) out.FileUnchanged = true;
  if (out.SpanType === 'skill' && !out.SkillName) out.SkillName = state.pendingSkill.get(a['session.id'] ?? '') ?? '';
  if (out.SpanType === 'agent' && !out.AgentName) out.AgentName = state.pendingAgent.get(a['session.id'] ?? '') ?? '';
  return { row: out, signal: SIGNAL.LOG };
}
