import { exitCodeOf } from '@fulcrum/ingest/normalise/tool-detail';
import { commonFields, jsonReply, noteToModel, obj, resultBytes, str, type GuardEventKind, type HarnessAdapter } from '../events.js';

const KINDS: Record<string, GuardEventKind> = {
  BeforeTool: 'before_tool',
  AfterTool: 'after_tool',
  BeforeAgent: 'prompt',
  AfterAgent: 'stop',
};

/**
 * Gemini CLI 0.61.0 (recorded: tests/fixtures/real-clients/hooks/gemini-cli).
 * Its tool hooks carry no call id. AfterTool's `tool_response` is
 * `{llmContent, returnDisplay, error?}`; a failed shell command says
 * "Exit Code: N" only inside llmContent. The bundle reads `decision`
 * ("deny"/"block") + `reason` to refuse a call (the model gets "Tool execution
 * blocked: <reason>"), `continue: false` + `stopReason` to stop the agent, and
 * `hookSpecificOutput.additionalContext` on AfterTool, appended to the result.
 */
export const gemini: HarnessAdapter = {
  harness: 'gemini-cli',
  parse(input) {
    const d = obj(input);
    const e = { ...commonFields(input, 'gemini-cli'), kind: KINDS[str(d.hook_event_name)] ?? 'other' } as ReturnType<HarnessAdapter['parse']>;
    if (e.kind === 'after_tool') {
      const r = obj(d.tool_response);
      const text = typeof r.llmContent === 'string' ? r.llmContent : JSON.stringify(r.llmContent ?? '');
      const exit = exitCodeOf(text);
      const failed = r.error !== undefined && r.error !== null ? true : exit !== undefined ? exit !== 0 : false;
      e.outcome = { success: !failed, fileUnchanged: false, resultSize: resultBytes(r.llmContent), errorText: failed ? text.replace(/<\/?untrusted_context>/g, '') : '' };
    }
    return e;
  },
  call: (event) => ({ toolName: event.toolName, args: event.toolInput }),
  reply(answer, event) {
    switch (answer.action) {
      case 'none':
        // Gemini CLI reads stderr when stdout is empty (a deny there is obeyed): say "nothing" explicitly.
        return jsonReply({});
      case 'note':
        return noteToModel(event.hookEventName, answer.message);
      case 'deny':
        return jsonReply({ decision: 'deny', reason: answer.reason });
      case 'stop':
        return jsonReply({ continue: false, stopReason: answer.reason, decision: 'deny', reason: answer.reason });
      case 'block_prompt':
        return jsonReply({ decision: 'deny', reason: answer.reason });
    }
  },
};
