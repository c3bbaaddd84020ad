/**
 * Structural types for the hooks of @anthropic-ai/claude-agent-sdk (not a
 * dependency): what its `options.hooks` accepts and what each hook receives.
 */

export interface ClaudeHookBaseInput {
  session_id: string;
  transcript_path?: string;
  cwd?: string;
  permission_mode?: string;
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

export type ClaudeHookInput =
  | PreToolUseInput
  | PostToolUseInput
  | PostToolUseFailureInput
  | SubagentStartInput
  | SubagentStopInput
  | SessionStartInput
  | SessionEndInput;

export type ClaudeHookCallback = (
  input: ClaudeHookInput,
  toolUseID: string | undefined,
  options: { signal: AbortSignal },
) => Promise<{ continue: true }>;

export interface ClaudeHookMatcher {
  matcher?: string;
  hooks: ClaudeHookCallback[];
}

export type ClaudeHookEvent = ClaudeHookInput['hook_event_name'];

export type ClaudeHooks = Record<ClaudeHookEvent, ClaudeHookMatcher[]>;
