import { commonFields, denyCall, jsonReply, NOTHING, noteToModel, obj, resultBytes, str, type GuardEventKind, type HarnessAdapter } from '../events.js';

const KINDS: Record<string, GuardEventKind> = {
  PreToolUse: 'before_tool',
  PostToolUse: 'after_tool',
  PostToolUseFailure: 'after_tool',
  PostToolBatch: 'after_batch',
  UserPromptSubmit: 'prompt',
  Stop: 'stop',
};

/**
 * Claude Code 2.1.197 (recorded: tests/fixtures/real-clients/hooks/claude-code; answers verified
 * with the binary in tests/guard/claude-code-binary.test.ts). Notes go in additionalContext, never
 * with permissionDecision "allow", which would override the user's own permission rules.
 * A failed call fires PostToolUseFailure (with `error`) instead of PostToolUse;
 * a re-read of an unchanged file answers `{"type":"file_unchanged"}`.
 */
export const claudeCode: HarnessAdapter = {
  harness: 'claude-code',
  parse(input) {
    const e = { ...commonFields(input, 'claude-code'), kind: KINDS[str(obj(input).hook_event_name)] ?? 'other' } as ReturnType<HarnessAdapter['parse']>;
    if (e.hookEventName === 'PostToolUse') {
      const r = obj(input).tool_response;
      e.outcome = { success: true, fileUnchanged: obj(r).type === 'file_unchanged', resultSize: resultBytes(r), errorText: '' };
    } else if (e.hookEventName === 'PostToolUseFailure') {
      e.outcome = { success: false, fileUnchanged: false, resultSize: resultBytes(obj(input).error), errorText: str(obj(input).error) };
    }
    return e;
  },
  call: (event) => ({ toolName: event.toolName, args: event.toolInput }),
  reply(answer, event) {
    const hookEventName = event.hookEventName;
    switch (answer.action) {
      case 'none':
        return NOTHING;
      case 'note':
        // additionalContext is read by the model; no permissionDecision, so the user's own permission rules still apply.
        return noteToModel(hookEventName, answer.message);
      case 'deny':
        return denyCall(hookEventName, answer.reason);
      case 'stop':
        // Claude Code ignores continue:false beside a deny, and a continue:false alone lets the call run:
        // the call is denied here, and the session stopped by the PostToolBatch hook that follows it.
        if (event.kind === 'before_tool') return denyCall(hookEventName, answer.reason);
        return jsonReply({ continue: false, stopReason: answer.reason });
      case 'block_prompt':
        // The session ends before any model request: "Operation stopped by hook: <reason>".
        return jsonReply({ continue: false, stopReason: answer.reason });
    }
  },
};
