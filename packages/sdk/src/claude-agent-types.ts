/**
 * Structural types for @anthropic-ai/claude-agent-sdk, which stays out of this
 * package's dependencies and declarations. The callback accepts any hook input
 * (ClaudeHookEventInput is a supertype of the SDK's HookInput), so `hooks` is
 * assignable to the SDK's `Options['hooks']` under strictFunctionTypes;
 * tests/sdk/claude-agent-types.test.ts type-checks that against the real package.
 */

/** What every hook input has; the fields the tracer reads are optional and checked at run time. */
export interface ClaudeHookEventInput {
  hook_event_name: string;
  session_id: string;
  /** Set when the hook fires inside a subagent. */
  agent_id?: unknown;
  agent_type?: unknown;
  tool_name?: unknown;
  tool_input?: unknown;
  tool_use_id?: unknown;
  tool_response?: unknown;
  error?: unknown;
  is_interrupt?: unknown;
}

export interface ClaudeHookBaseInput {
  session_id: string;
  transcript_path?: string;
  cwd?: string;
  permission_mode?: string;
  /** Subagent the hook fired in; absent on the main thread. */
  agent_id?: string;
  agent_type?: string;
}

export interface PreToolUseInput extends ClaudeHookBaseInput {
  hook_event_name: 'PreToolUse';
  tool_name: string;
  tool_input: unknown;
  tool_use_id?: string;
}

export interface PostToolUseInput extends ClaudeHookBaseInput {
  hook_event_name: 'PostToolUse';
  tool_name: string;
  tool_input: unknown;
  tool_response?: unknown;
  tool_use_id?: string;
}

export interface PostToolUseFailureInput extends ClaudeHookBaseInput {
  hook_event_name: 'PostToolUseFailure';
  tool_name: string;
  tool_input: unknown;
  tool_use_id?: string;
  error?: string;
  is_interrupt?: boolean;
}

export interface SubagentStartInput extends ClaudeHookBaseInput {
  hook_event_name: 'SubagentStart';
  agent_id: string;
  agent_type?: string;
}

export interface SubagentStopInput extends ClaudeHookBaseInput {
  hook_event_name: 'SubagentStop';
  agent_id?: string;
  stop_hook_active?: boolean;
}

export interface SessionStartInput extends ClaudeHookBaseInput {
  hook_event_name: 'SessionStart';
  source?: string;
}

export interface SessionEndInput extends ClaudeHookBaseInput {
  hook_event_name: 'SessionEnd';
  reason?: string;
}

/** The hook inputs the tracer acts on. */
export type ClaudeHookInput =
  | PreToolUseInput
  | PostToolUseInput
  | PostToolUseFailureInput
  | SubagentStartInput
  | SubagentStopInput
  | SessionStartInput
  | SessionEndInput;

export type ClaudeHookCallback = (
  input: ClaudeHookEventInput,
  toolUseID: string | undefined,
  options: { signal: AbortSignal },
) => Promise<{ continue: true }>;

export interface ClaudeHookMatcher {
  matcher?: string;
  hooks: ClaudeHookCallback[];
}

export type ClaudeHookEvent = ClaudeHookInput['hook_event_name'];

/**
 * The hooks the tracer registers. Not SessionStart and SessionEnd: Claude Code
 * does not deliver them to SDK callbacks (SessionEnd fails at shutdown, with
 * an error on its stderr), so observe() or end() ends the session instead.
 */
export type ClaudeTracedHookEvent = Exclude<ClaudeHookEvent, 'SessionStart' | 'SessionEnd'>;

export type ClaudeHooks = Record<ClaudeTracedHookEvent, ClaudeHookMatcher[]>;
