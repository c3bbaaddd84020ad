/**
 * The span tree of a Claude Agent SDK session: one session span per session
 * id; tool spans keyed by tool_use id; an agent span per subagent, keyed by the
 * tool_use id of the Agent (Task) call that started it and by its agent id.
 *
 * Hooks and messages arrive in either order (hooks are called as Claude Code
 * runs; messages when the caller reads them), so each subagent is bound to its
 * Agent call by the first of: the `task_started` message (exact), a message's
 * parent_tool_use_id (exact), or, at SubagentStart, the oldest Agent call of
 * the same subagent type still waiting for its agent.
 */
import { trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { FULCRUM, GEN_AI, GEN_AI_OPERATION } from '@fulcrum/vocab';
import { setSessionId } from './session-context.js';
import { activeContext, getTracer } from './state.js';

export interface ClaudeSpanTreeOptions {
  /** gen_ai.agent.name of the session span. Default: claude-agent. */
  agentName?: string;
  /** fulcrum.use_case on the session span. Default: none. */
  useCase?: string;
  /** Open tool and agent spans kept at most; the oldest is ended as abandoned beyond it. Default: 1000. */
  maxOpenSpans?: number;
}

export interface AgentNode {
  span: Span;
  sessionId: string;
  toolUseId?: string;
  agentId?: string;
  type?: string;
  ended: boolean;
  /** When the subagent last did something (a message, a tool call ending). */
  lastActivity?: number;
  endedAt?: number;
}

export interface ToolStart {
  id: string | undefined;
  name: string;
  attributes: Attributes;
  /** The subagent the call runs in; undefined on the main thread. */
  agentId: string | undefined;
  agentType: string | undefined;
  /** subagent_type of an Agent (Task) call. */
  subagentType: string | undefined;
}

interface OpenTool {
  span: Span;
  sessionId: string;
  name: string;
  subagentType?: string;
}

/** Wall-clock milliseconds with the sub-millisecond precision the OpenTelemetry SDK's own clock has. */
export const now = (): number => performance.timeOrigin + performance.now();

export const isAgentTool = (name: string): boolean => name === 'Agent' || name === 'Task';

export class ClaudeSpanTree {
  private readonly sessions = new Map<string, Span>();
  private readonly tools = new Map<string, OpenTool>();
  /** When each tool call started, so the model call that issued it can be dated before it. */
  private readonly toolStarts = new Map<string, number>();
  private readonly agentsByTool = new Map<string, AgentNode>();
  private readonly agentsById = new Map<string, AgentNode>();
  /** agent id → Agent call, from task_started messages. */
  private readonly agentCalls = new Map<string, string>();
  /** Agent calls whose subagent is not known yet, oldest first. */
  private readonly waitingAgentCalls: string[] = [];
  private readonly maxOpen: number;

  constructor(private readonly options: ClaudeSpanTreeOptions) {
    this.maxOpen = options.maxOpenSpans ?? 1000;
  }

  session(sessionId: string, attributes?: Attributes): Span {
    let span = this.sessions.get(sessionId);
    if (span) {
      if (attributes) span.setAttributes(attributes);
      return span;
    }
    const name = this.options.agentName ?? 'claude-agent';
    span = getTracer().startSpan(
      `${GEN_AI_OPERATION.INVOKE_AGENT} ${name}`,
      {
        startTime: now(),
        attributes: {
          ...attributes,
          [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION.INVOKE_AGENT,
          [GEN_AI.CONVERSATION_ID]: sessionId,
          [GEN_AI.AGENT_NAME]: name,
          [FULCRUM.SPAN_TYPE]: 'session',
          ...(this.options.useCase ? { [FULCRUM.USE_CASE]: this.options.useCase } : {}),
        },
      },
      activeContext(),
    );
    this.sessions.set(sessionId, span);
    return span;
  }

  /** The context to start a child of parent in: the session id travels with it. */
  contextOf(parent: Span, sessionId: string): Context {
    return setSessionId(trace.setSpan(activeContext(), parent), sessionId);
  }

  /** The span a call on a thread nests under: the subagent of that Agent call, else the session. */
  threadSpan(sessionId: string, parentToolUseId: string | undefined): Span {
    return parentToolUseId ? this.agentForCall(sessionId, parentToolUseId).span : this.session(sessionId);
  }

  // --- tools ---

  /** A tool call from PreToolUse: under its subagent when agentId is set, else under the session. */
  startTool(sessionId: string, call: ToolStart): Span | undefined {
    const { id, name, attributes, agentId } = call;
    const parent = agentId ? this.agentById(sessionId, agentId, call.agentType).span : this.session(sessionId);
    const startTime = now();
    const span = getTracer().startSpan(`${GEN_AI_OPERATION.EXECUTE_TOOL} ${name}`, { startTime, attributes }, this.contextOf(parent, sessionId));
    if (id === undefined) {
      span.end();
      return undefined;
    }
    this.toolStarts.set(id, startTime);
    this.tools.set(id, { span, sessionId, name, subagentType: call.subagentType });
    if (isAgentTool(name) && !this.agentsByTool.has(id)) this.waitingAgentCalls.push(id);
    this.cap();
    return span;
  }

  /** Removes and returns the open tool call; its subagent, if any, ends first. */
  takeTool(id: string | undefined): OpenTool | undefined {
    if (id === undefined) return undefined;
    const tool = this.tools.get(id);
    if (!tool) return undefined;
    this.tools.delete(id);
    this.unwait(id);
    const agent = this.agentsByTool.get(id);
    if (agent) this.endAgent(agent);
    return tool;
  }

  toolStart(id: string): number | undefined {
    return this.toolStarts.get(id);
  }

  /** Forgets tool start times (at the end of a turn, when no model call of it is left to date). */
  forgetToolStarts(): void {
    for (const id of this.toolStarts.keys()) if (!this.tools.has(id)) this.toolStarts.delete(id);
  }

  // --- subagents ---

  /** task_started: the exact binding of an agent id to its Agent call. */
  bindAgent(sessionId: string, agentId: string, toolUseId: string, type: string | undefined): AgentNode {
    this.agentCalls.set(agentId, toolUseId);
    const byId = this.agentsById.get(agentId);
    if (byId) {
      if (byId.toolUseId === undefined) {
        byId.toolUseId = toolUseId;
        this.agentsByTool.set(toolUseId, byId);
        this.unwait(toolUseId);
      }
      return byId;
    }
    return this.agentForCall(sessionId, toolUseId, agentId, type);
  }

  /** The subagent started by Agent call toolUseId, started now if unknown so far. */
  agentForCall(sessionId: string, toolUseId: string, agentId?: string, type?: string): AgentNode {
    let node = this.agentsByTool.get(toolUseId);
    if (!node) {
      const call = this.tools.get(toolUseId);
      node = this.startAgent(sessionId, call?.span ?? this.session(sessionId), type ?? call?.subagentType);
      node.toolUseId = toolUseId;
      this.agentsByTool.set(toolUseId, node);
      this.unwait(toolUseId);
    }
    this.identify(node, agentId, type);
    return node;
  }

  /** The subagent with this agent id (SubagentStart, or a hook fired inside it), bound to its Agent call as well as known. */
  agentById(sessionId: string, agentId: string, type: string | undefined): AgentNode {
    const known = this.agentsById.get(agentId);
    if (known) {
      this.identify(known, undefined, type);
      return known;
    }
    const call = this.agentCalls.get(agentId) ?? this.oldestWaitingCall(type);
    if (call !== undefined) return this.agentForCall(sessionId, call, agentId, type);
    const node = this.startAgent(sessionId, this.session(sessionId), type);
    this.identify(node, agentId, type);
    return node;
  }

  /** SubagentStop without an agent id: the newest subagent still running. */
  newestAgent(): AgentNode | undefined {
    let newest: AgentNode | undefined;
    for (const node of this.agentsById.values()) if (!node.ended) newest = node;
    return newest;
  }

  agentIfKnown(agentId: string): AgentNode | undefined {
    return this.agentsById.get(agentId);
  }

  endAgent(node: AgentNode): void {
    if (node.ended) return;
    node.ended = true;
    node.endedAt = now();
    node.span.end(node.endedAt);
  }

  private startAgent(sessionId: string, parent: Span, type: string | undefined): AgentNode {
    const name = type ?? 'subagent';
    const span = getTracer().startSpan(
      `${GEN_AI_OPERATION.INVOKE_AGENT} ${name}`,
      {
        startTime: now(),
        attributes: {
          [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION.INVOKE_AGENT,
          [GEN_AI.AGENT_NAME]: name,
          [FULCRUM.SPAN_TYPE]: 'agent',
          ...(type ? { [FULCRUM.SUBAGENT_TYPE]: type } : {}),
        },
      },
      this.contextOf(parent, sessionId),
    );
    return { span, sessionId, ended: false };
  }

  /** Records what became known about a subagent after its span started. */
  private identify(node: AgentNode, agentId: string | undefined, type: string | undefined): void {
    if (agentId !== undefined && node.agentId === undefined) {
      node.agentId = agentId;
      node.span.setAttribute(GEN_AI.AGENT_ID, agentId);
      this.agentsById.set(agentId, node);
    }
    if (type !== undefined && node.type === undefined) {
      node.type = type;
      node.span.updateName(`${GEN_AI_OPERATION.INVOKE_AGENT} ${type}`);
      node.span.setAttributes({ [GEN_AI.AGENT_NAME]: type, [FULCRUM.SUBAGENT_TYPE]: type });
    }
  }

  private oldestWaitingCall(type: string | undefined): string | undefined {
    const i = this.waitingAgentCalls.findIndex((id) => type === undefined || this.tools.get(id)?.subagentType === undefined || this.tools.get(id)?.subagentType === type);
    const at = i >= 0 ? i : this.waitingAgentCalls.length > 0 ? 0 : -1;
    return at >= 0 ? this.waitingAgentCalls[at] : undefined;
  }

  private unwait(toolUseId: string): void {
    const i = this.waitingAgentCalls.indexOf(toolUseId);
    if (i >= 0) this.waitingAgentCalls.splice(i, 1);
  }

  // --- lifetime ---

  /** Beyond maxOpenSpans open tool calls, the oldest is ended as abandoned. */
  private cap(): void {
    if (this.tools.size <= this.maxOpen) return;
    const [id, oldest] = this.tools.entries().next().value as [string, OpenTool];
    this.takeTool(id);
    oldest.span.setAttribute('error.type', 'abandoned');
    oldest.span.end(now());
  }

  /** SessionEnd: ends the session's open spans, then the session. */
  endSession(sessionId: string): void {
    for (const [id, tool] of [...this.tools]) if (tool.sessionId === sessionId) this.takeTool(id)?.span.end(now());
    for (const node of new Set([...this.agentsByTool.values(), ...this.agentsById.values()])) if (node.sessionId === sessionId) this.endAgent(node);
    for (const [key, node] of this.agentsByTool) if (node.sessionId === sessionId) this.agentsByTool.delete(key);
    for (const [key, node] of this.agentsById) if (node.sessionId === sessionId) this.agentsById.delete(key);
    this.sessions.get(sessionId)?.end(now());
    this.sessions.delete(sessionId);
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** Ends every span still open. */
  endAll(): void {
    const ids = new Set([...this.sessions.keys(), ...[...this.tools.values()].map((t) => t.sessionId)]);
    for (const id of ids) this.endSession(id);
  }
}
