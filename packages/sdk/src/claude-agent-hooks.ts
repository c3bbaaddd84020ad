/**
 * Hook inputs → spans. PreToolUse opens an `execute_tool` span keyed by
 * tool_use_id (under the subagent named by agent_id, else the session);
 * PostToolUse or PostToolUseFailure closes it; SubagentStart/Stop bracket the
 * subagent's span; SessionEnd ends the session.
 */
import type { Attributes } from '@opentelemetry/api';
import { FULCRUM, MCP } from '@fulcrum/vocab';
import type { ClaudeHookEventInput } from './claude-agent-types.js';
import { isAgentTool, now, type ClaudeSpanTree } from './claude-agent-spans.js';
import { markRedacted } from './pre-redacted.js';
import { recordFailure } from './run.js';
import { getSettings } from './state.js';
import { recordToolResult, toolCallAttributes } from './tool-call.js';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `mcp__{server}__{tool}`: Claude Code's name for an MCP server's tool. */
function mcpAttributes(toolName: string): Attributes | undefined {
  const m = /^mcp__(.+?)__(.+)$/.exec(toolName);
  if (!m) return undefined;
  return { [MCP.METHOD_NAME]: 'tools/call', [FULCRUM.MCP_SERVER]: m[1], [FULCRUM.SPAN_TYPE]: 'mcp' };
}

/**
 * What an Agent (Task) call's result reports about its subagent's last model
 * call, the one that answered: its usage and model. The message stream never
 * shows that call.
 */
export interface AgentResultUsage {
  sessionId: string;
  toolUseId: string;
  usage: unknown;
  model: unknown;
  /** When the result arrived. */
  at: number;
}

export class ClaudeHookHandler {
  constructor(
    private readonly tree: ClaudeSpanTree,
    private readonly onAgentResult: (result: AgentResultUsage) => void,
  ) {}

  handle(input: ClaudeHookEventInput, toolUseID: string | undefined): void {
    const sessionId = input.session_id;
    if (typeof sessionId !== 'string') return;
    const toolId = text(input.tool_use_id) ?? toolUseID;
    switch (input.hook_event_name) {
      case 'SessionStart':
        this.tree.session(sessionId);
        return;
      case 'PreToolUse':
        return this.preToolUse(sessionId, input, toolId);
      case 'PostToolUse': {
        const tool = this.tree.takeTool(toolId);
        if (!tool) return;
        const failed = recordToolResult(tool.span, input.tool_response);
        if (failed) recordFailure(tool.span, new Error(failed), failed, true);
        else tool.span.setAttribute(FULCRUM.SUCCESS, true);
        tool.span.end(now());
        this.touchAgent(input);
        const response = input.tool_response as { usage?: unknown; resolvedModel?: unknown } | null;
        if (isAgentTool(tool.name) && toolId !== undefined) this.onAgentResult({ sessionId, toolUseId: toolId, usage: response?.usage, model: response?.resolvedModel, at: now() });
        return;
      }
      case 'PostToolUseFailure': {
        const tool = this.tree.takeTool(toolId);
        if (!tool) return;
        const type = input.is_interrupt === true ? 'interrupted' : 'tool_error';
        recordFailure(tool.span, text(input.error) ?? type, type, true);
        tool.span.end(now());
        this.touchAgent(input);
        return;
      }
      case 'SubagentStart': {
        const agentId = text(input.agent_id);
        if (agentId !== undefined) this.tree.agentById(sessionId, agentId, text(input.agent_type));
        return;
      }
      case 'SubagentStop': {
        const agentId = text(input.agent_id);
        const node = agentId !== undefined ? this.tree.agentIfKnown(agentId) : this.tree.newestAgent();
        if (node) this.tree.endAgent(node);
        return;
      }
      case 'SessionEnd':
        this.tree.endSession(sessionId);
        return;
    }
  }

  /** A tool call inside a subagent ended: its answering call comes after. */
  private touchAgent(input: ClaudeHookEventInput): void {
    const agentId = text(input.agent_id);
    const node = agentId === undefined ? undefined : this.tree.agentIfKnown(agentId);
    if (node) node.lastActivity = now();
  }

  private preToolUse(sessionId: string, input: ClaudeHookEventInput, id: string | undefined): void {
    const name = text(input.tool_name);
    if (name === undefined) return;
    const attributes = { ...toolCallAttributes({ name, id, args: input.tool_input }), ...mcpAttributes(name) };
    const subagentType = isAgentTool(name) ? text((input.tool_input as { subagent_type?: unknown } | null)?.subagent_type) : undefined;
    const span = this.tree.startTool(sessionId, { id, name, attributes, agentId: text(input.agent_id), agentType: text(input.agent_type), subagentType });
    if (span) markRedacted(span, getSettings().redactor, attributes);
  }
}
