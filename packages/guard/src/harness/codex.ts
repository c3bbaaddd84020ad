import { exitCodeOf } from '@fulcrum/ingest/normalise/tool-detail';
import { commonFields, denyCall, jsonReply, NOTHING, noteToModel, obj, resultBytes, str, type GuardEventKind, type HarnessAdapter } from '../events.js';

const KINDS: Record<string, GuardEventKind> = {
  PreToolUse: 'before_tool',
  PostToolUse: 'after_tool',
  UserPromptSubmit: 'prompt',
  Stop: 'stop',
};

/**
 * Codex 0.169.0 (recorded: tests/fixtures/real-clients/hooks/codex). Every
 * shell call is reported as tool "Bash" with `tool_input.command`, and
 * PostToolUse's `tool_response` is the output text alone: a failed command's
 * exit code is not in it, so its outcome is left to the rollout file (the
 * transcript), where the output says "Process exited with code N".
 * PreToolUse honours only permissionDecision "deny" (allow, ask and
 * continue:false are refused by the binary) and no hook answer ends a running
 * `codex exec`, so a budget stop denies every further call and blocks the next
 * prompt (tests/guard/codex-binary.test.ts).
 */
export const codex: HarnessAdapter = {
  harness: 'codex',
  parse(input) {
    const d = obj(input);
    const e = { ...commonFields(input, 'codex'), kind: KINDS[str(d.hook_event_name)] ?? 'other' } as ReturnType<HarnessAdapter['parse']>;
    if (e.kind === 'after_tool') {
      const r = d.tool_response;
      const exit = typeof r === 'string' ? exitCodeOf(r) : undefined;
      e.outcome = { success: exit === undefined ? undefined : exit === 0, fileUnchanged: false, resultSize: resultBytes(r), errorText: typeof r === 'string' ? r : '' };
    }
    return e;
  },
  // The apply_patch tool's hook input is { command: <patch> }; its transcript (and the vocabulary) know it by the patch text itself.
  call: (event) => (event.toolName === 'apply_patch' ? { toolName: 'apply_patch', args: str(obj(event.toolInput).command) } : { toolName: event.toolName, args: event.toolInput }),
  reply(answer, event) {
    const hookEventName = event.hookEventName;
    switch (answer.action) {
      case 'none':
        return NOTHING;
      case 'note':
        return noteToModel(hookEventName, answer.message);
      case 'deny':
      case 'stop':
        // A deny carrying continue:false or stopReason is refused whole and the command runs: the deny stands alone.
        if (event.kind !== 'before_tool') return NOTHING;
        // Codex appends ". Command: <cmd>" to the reason it shows the model: without our full stop it reads as one sentence.
        return denyCall(hookEventName, answer.reason.replace(/\.$/, ''));
      case 'block_prompt':
        return jsonReply({ decision: 'block', reason: answer.reason });
    }
  },
};
