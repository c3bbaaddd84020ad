/**
 * claudeAgentHooks: traces a Claude Agent SDK session from its hooks.
 * PreToolUse opens an `execute_tool` span keyed by tool_use_id and PostToolUse
 * (or PostToolUseFailure) closes it; SubagentStart/Stop bracket agent spans;
 * the session span opens at SessionStart or the first hook and closes at SessionEnd.
 */
import { trace, type Span } from '@opentelemetry/api';
import { FULCRUM, GEN_AI, GEN_AI_OPERATION } from '@fulcrum/vocab';
import type { ClaudeHookCallback, ClaudeHookInput, ClaudeHooks } from './claude-agent-types.js';
import { recordFailure } from './run.js';
import { setSessionId } from './session-context.js';
import { markRedacted } from './pre-redacted.js';
import { activeContext, getSettings, getTracer } from './state.js';
import { recordToolResult, toolCallAttributes } from './tool-call.js';

export interface ClaudeAgentHooksOptions {
  /** gen_ai.agent.name of the session span. Default: claude-agent. */
  agentName?: string;
  /** fulcrum.use_case on the session span. Default: none. */
  useCase?: string;
  /** Open tool and agent spans kept at most; the oldest is ended as abandoned beyond it. Default: 1000. */
  maxOpenSpans?: number;
}

export interface ClaudeAgentTracing {
  /** Pass as `options.hooks` to the Agent SDK's query(). */
  hooks: ClaudeHooks;
  /** Ends every span still open (call when the query finishes without SessionEnd). */
  end(): void;
}

const CONTINUE = { continue: true } as const;

export function claudeAgentHooks(options: ClaudeAgentHooksOptions = {}): ClaudeAgentTracing {
  const maxOpen = options.maxOpenSpans ?? 1000;
  const sessions = new Map<string, Span>();
  const open = new Map<string, Span>();
  const subagents: string[] = [];
  /** Open Task (Agent) tool calls: a subagent nests under the newest one. */
  const taskTools: string[] = [];

  function session(id: string): Span {
    let span = sessions.get(id);
    if (!span) {
      const name = options.agentName ?? 'claude-agent';
      span = getTracer().startSpan(`${GEN_AI_OPERATION.INVOKE_AGENT} ${name}`, {
        attributes: {
          [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION.INVOKE_AGENT,
          [GEN_AI.CONVERSATION_ID]: id,
          [GEN_AI.AGENT_NAME]: name,
          [FULCRUM.SPAN_TYPE]: 'session',
          ...(options.useCase ? { [FULCRUM.USE_CASE]: options.useCase } : {}),
        },
      });
      sessions.set(id, span);
    }
    return span;
  }

  const newest = (keys: string[]): Span | undefined => (keys.length > 0 ? open.get(keys[keys.length - 1]) : undefined);

  /** Parent: the newest open subagent (or, for a subagent, Task call), else the session. */
  function parentContext(sessionId: string, forSubagent = false) {
    const parent = (forSubagent ? newest(taskTools) : undefined) ?? newest(subagents) ?? session(sessionId);
    return setSessionId(trace.setSpan(activeContext(), parent), sessionId);
  }

  function track(key: string, span: Span): void {
    open.set(key, span);
    if (open.size <= maxOpen) return;
    const [oldKey, oldSpan] = open.entries().next().value as [string, Span];
    open.delete(oldKey);
    oldSpan.setAttribute('error.type', 'abandoned');
    oldSpan.end();
  }

  function take(key: string | undefined): Span | undefined {
    if (key === undefined) return undefined;
    const span = open.get(key);
    open.delete(key);
    for (const list of [subagents, taskTools]) {
      const i = list.indexOf(key);
      if (i >= 0) list.splice(i, 1);
    }
    return span;
  }

  const handle = (input: ClaudeHookInput, toolUseID: string | undefined): void => {
    switch (input.hook_event_name) {
      case 'SessionStart':
        session(input.session_id);
        return;
      case 'PreToolUse': {
        const id = input.tool_use_id ?? toolUseID;
        const attributes = toolCallAttributes({ name: input.tool_name, id, args: input.tool_input });
        const span = getTracer().startSpan(`${GEN_AI_OPERATION.EXECUTE_TOOL} ${input.tool_name}`, { attributes }, parentContext(input.session_id));
        markRedacted(span, getSettings().redactor, attributes);
        if (id === undefined) return void span.end();
        track(`tool:${id}`, span);
        if (input.tool_name === 'Task' || input.tool_name === 'Agent') taskTools.push(`tool:${id}`);
        return;
      }
      case 'PostToolUse': {
        const span = take(`tool:${input.tool_use_id ?? toolUseID}`);
        if (!span) return;
        const failed = recordToolResult(span, input.tool_response);
        if (failed) recordFailure(span, new Error(failed), failed, true);
        else span.setAttribute(FULCRUM.SUCCESS, true);
        span.end();
        return;
      }
      case 'PostToolUseFailure': {
        const span = take(`tool:${input.tool_use_id ?? toolUseID}`);
        if (!span) return;
        const type = input.is_interrupt ? 'interrupted' : 'tool_error';
        recordFailure(span, input.error ?? type, type, true);
        span.end();
        return;
      }
      case 'SubagentStart': {
        const span = getTracer().startSpan(
          `${GEN_AI_OPERATION.INVOKE_AGENT} ${input.agent_type ?? 'subagent'}`,
          {
            attributes: {
              [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION.INVOKE_AGENT,
              [GEN_AI.AGENT_NAME]: input.agent_type ?? 'subagent',
              [GEN_AI.AGENT_ID]: input.agent_id,
              [FULCRUM.SPAN_TYPE]: 'agent',
              ...(input.agent_type ? { [FULCRUM.SUBAGENT_TYPE]: input.agent_type } : {}),
            },
          },
          parentContext(input.session_id, true),
        );
        track(`agent:${input.agent_id}`, span);
        subagents.push(`agent:${input.agent_id}`);
        return;
      }
      case 'SubagentStop': {
        const key = input.agent_id !== undefined ? `agent:${input.agent_id}` : subagents[subagents.length - 1];
        take(key)?.end();
        return;
      }
      case 'SessionEnd': {
        for (const [key, span] of open) {
          if (span.spanContext().traceId === sessions.get(input.session_id)?.spanContext().traceId) take(key)?.end();
        }
        sessions.get(input.session_id)?.end();
        sessions.delete(input.session_id);
        return;
      }
    }
  };

  const callback: ClaudeHookCallback = async (input, toolUseID) => {
    try {
      handle(input, toolUseID);
    } catch {
      // Tracing must never stop the agent.
    }
    return CONTINUE;
  };
  const matcher = () => [{ hooks: [callback] }];
  return {
    hooks: {
      SessionStart: matcher(),
      PreToolUse: matcher(),
      PostToolUse: matcher(),
      PostToolUseFailure: matcher(),
      SubagentStart: matcher(),
      SubagentStop: matcher(),
      SessionEnd: matcher(),
    },
    end() {
      for (const key of [...open.keys()]) take(key)?.end();
      for (const span of sessions.values()) span.end();
      sessions.clear();
    },
  };
}
