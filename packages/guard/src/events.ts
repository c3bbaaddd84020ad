/** The harnesses the guard speaks to, by the names their telemetry carries in Fulcrum. */
export const GUARD_HARNESSES = ['claude-code', 'codex', 'gemini-cli'] as const;
export type GuardHarness = (typeof GUARD_HARNESSES)[number];

/**
 * before_tool: a call about to run; after_tool: one that ran; after_batch: every call of one model
 * response is done (Claude Code's PostToolBatch); prompt: the human's message; stop: the agent finished its turn.
 */
export type GuardEventKind = 'before_tool' | 'after_tool' | 'after_batch' | 'prompt' | 'stop' | 'other';

/** What a tool call came to, as the after-tool hook tells it (undefined fields: the hook does not say). */
export interface ToolOutcome {
  /** undefined when the hook does not say (Codex: only the output text, without the exit code). */
  success: boolean | undefined;
  /** The harness answered "file unchanged since your last read" instead of the content (Claude Code). */
  fileUnchanged: boolean;
  /** Bytes of the result as the hook gives it. */
  resultSize: number;
  /** The error (or, for a failed command, its output) as the hook gives it; '' when it succeeded. */
  errorText: string;
}

/** One hook invocation, in the harness's own words, reduced to what the guard needs. */
export interface GuardEvent {
  harness: GuardHarness;
  kind: GuardEventKind;
  /** The harness's own event name (PreToolUse, BeforeTool...). */
  hookEventName: string;
  sessionId: string;
  /** '' when the harness gives none. */
  transcriptPath: string;
  cwd: string;
  toolName: string;
  toolInput: unknown;
  /** The harness's call id; '' when its hooks carry none (Gemini CLI). */
  toolCallId: string;
  /** after_tool only. */
  outcome?: ToolOutcome;
}

/**
 * What the guard wants done with one hook invocation. The harness adapter
 * turns it into that harness's answer (JSON on stdout, exit code).
 */
export type GuardAnswer =
  | { action: 'none' }
  /** Let it run, with a note the model reads. */
  | { action: 'note'; message: string }
  /** Refuse the call; the reason goes to the model. */
  | { action: 'deny'; reason: string }
  /** Refuse the call and end the session (budget). */
  | { action: 'stop'; reason: string }
  /** Refuse the human's prompt (budget), with the reason shown to the human. */
  | { action: 'block_prompt'; reason: string };

/** A hook's reply: what it prints and how it exits. */
export interface HookReply {
  stdout: string;
  exitCode: number;
}

/** One harness's hook dialect. */
export interface HarnessAdapter {
  harness: GuardHarness;
  /** The parsed stdin JSON as a GuardEvent; throws on input that is not this harness's hook JSON. */
  parse(input: unknown): GuardEvent;
  /** The hook's tool call in the terms ingest reads the harness's transcript in (name and arguments). */
  call(event: GuardEvent): { toolName: string; args: unknown };
  /** The answer in this harness's format, for the event it answers. */
  reply(answer: GuardAnswer, event: GuardEvent): HookReply;
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Bytes of a result as text (objects as their JSON). */
export function resultBytes(v: unknown): number {
  if (v === undefined || v === null) return 0;
  return Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v));
}

/** The fields every harness's hook JSON shares (Claude Code's names, which Codex and Gemini CLI copied). */
export function commonFields(input: unknown, harness: GuardHarness): Omit<GuardEvent, 'kind' | 'outcome'> {
  const d = obj(input);
  const sessionId = str(d.session_id);
  const hookEventName = str(d.hook_event_name);
  if (!sessionId || !hookEventName) throw new TypeError(`not a ${harness} hook payload: session_id and hook_event_name are required`);
  return {
    harness,
    hookEventName,
    sessionId,
    transcriptPath: str(d.transcript_path),
    cwd: str(d.cwd),
    toolName: str(d.tool_name),
    toolInput: d.tool_input,
    toolCallId: str(d.tool_use_id),
  };
}

export const NOTHING: HookReply = { stdout: '', exitCode: 0 };

/** A JSON answer, exit 0. */
export const jsonReply = (v: unknown): HookReply => ({ stdout: `${JSON.stringify(v)}\n`, exitCode: 0 });

/** Claude Code's answers, which Codex copied: a refusal of the call, and a note the model reads. */
export const denyCall = (hookEventName: string, reason: string): HookReply =>
  jsonReply({ hookSpecificOutput: { hookEventName, permissionDecision: 'deny', permissionDecisionReason: reason } });
export const noteToModel = (hookEventName: string, message: string): HookReply => jsonReply({ hookSpecificOutput: { hookEventName, additionalContext: message } });
