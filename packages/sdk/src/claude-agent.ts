/**
 * claudeAgentTracing: traces a Claude Agent SDK (@anthropic-ai/claude-agent-sdk)
 * query from its hooks and its message stream.
 *
 * Hooks give the tool calls as they run (PreToolUse → PostToolUse or
 * PostToolUseFailure) and the subagents (SubagentStart/Stop, agent_id on hooks
 * fired inside one). Messages give the model calls: one `chat` span per API
 * call with its tokens, and, at each result, Claude Code's own cost. Subagent
 * spans nest under the Agent (Task) call that started them, and each
 * subagent's model and tool calls under its span, also when several run at once.
 */
import { ClaudeHookHandler } from './claude-agent-hooks.js';
import { ClaudeMessageHandler } from './claude-agent-messages.js';
import { ClaudeSpanTree, type ClaudeSpanTreeOptions } from './claude-agent-spans.js';
import type { ClaudeHookCallback, ClaudeHooks, ClaudeTracedHookEvent } from './claude-agent-types.js';
import { warnOnce } from './log.js';

export type ClaudeAgentTracingOptions = ClaudeSpanTreeOptions;
/** The former name of ClaudeAgentTracingOptions. */
export type ClaudeAgentHooksOptions = ClaudeAgentTracingOptions;

/** The query options the tracer sets: hooks, and partial messages for exact output tokens. */
export interface ClaudeQueryOptionsLike {
  hooks?: { [event: string]: readonly object[] | undefined };
  includePartialMessages?: boolean;
}

export interface ClaudeAgentTracing {
  /** Pass as `options.hooks` to query() (or use options()). */
  hooks: ClaudeHooks;
  /**
   * The query options with the tracer's hooks added to the caller's own and
   * includePartialMessages on, so each main-thread call's output tokens are
   * exact; observe() then drops the partial messages the caller did not ask for.
   */
  options(): { hooks: ClaudeHooks; includePartialMessages: true };
  options<O extends object | undefined>(options: FromContext<O>): O;
  /** Yields query()'s messages unchanged while recording them; ends the tracing when the query ends. */
  observe<M>(messages: AsyncIterable<M>): AsyncGenerator<M, void, undefined>;
  /** Records one message, for callers that iterate query() themselves (then call end()). */
  record(message: unknown): void;
  /** Ends every span still open; observe() calls it when the query ends. */
  end(): void;
}

/**
 * T as a parameter type that TypeScript does not infer T from: options()'s
 * type is query()'s own options type, taken from where the result goes, so
 * the literal passed is checked and typed by it (string literals stay literal,
 * callbacks get their parameter types).
 */
export type FromContext<T> = [T][T extends unknown ? 0 : never];

const CONTINUE = { continue: true } as const;
const HOOK_EVENTS: readonly ClaudeTracedHookEvent[] = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'SubagentStart', 'SubagentStop'];

/** Tracing must never stop the agent: a failure costs at most one warning. */
function guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch (err) {
      warnOnce('claude-agent', `Claude Agent SDK tracing failed and skipped an event: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}

const isPartialMessage = (m: unknown): boolean => (m as { type?: unknown } | null)?.type === 'stream_event';

export function claudeAgentTracing(options: ClaudeAgentTracingOptions = {}): ClaudeAgentTracing {
  const tree = new ClaudeSpanTree(options);
  const messages = new ClaudeMessageHandler(tree);
  const hookHandler = new ClaudeHookHandler(tree, (r) => messages.agentResult(r));
  /** Partial messages the tracer asked for and the caller did not. */
  let hidePartial = false;

  const onHook = guarded((input: Parameters<ClaudeHookCallback>[0], toolUseID: string | undefined) => hookHandler.handle(input, toolUseID));
  const callback: ClaudeHookCallback = async (input, toolUseID) => {
    onHook(input, toolUseID);
    return CONTINUE;
  };
  const hooks = Object.fromEntries(HOOK_EVENTS.map((event) => [event, [{ hooks: [callback] }]])) as ClaudeHooks;
  const record = guarded((message: unknown) => messages.record(message));
  const end = guarded(() => {
    messages.flush();
    tree.endAll();
  });

  return {
    hooks,
    options(given?: object): never {
      const base: ClaudeQueryOptionsLike = given ?? {};
      const merged: { [event: string]: readonly object[] | undefined } = { ...base.hooks };
      for (const event of HOOK_EVENTS) {
        const own = merged[event];
        merged[event] = Array.isArray(own) ? [...(own as object[]), ...hooks[event]] : hooks[event];
      }
      hidePartial = base.includePartialMessages !== true;
      return { ...base, hooks: merged, includePartialMessages: true } as never;
    },
    async *observe<M>(stream: AsyncIterable<M>): AsyncGenerator<M, void, undefined> {
      try {
        for await (const message of stream) {
          record(message);
          if (!(hidePartial && isPartialMessage(message))) yield message;
        }
      } finally {
        end();
      }
    },
    record,
    end,
  };
}

/** The former name of claudeAgentTracing: its hooks alone trace the tool calls and subagents. */
export const claudeAgentHooks = claudeAgentTracing;
