import type { SessionSpan } from './span.js';

/**
 * Delegation: how far a session's agent ran without its human. Definitions,
 * thresholds and where they come from: docs/outcomes.md.
 *
 * - A **human prompt** is one of the harness's prompt events (Claude Code
 *   `user_prompt`, Codex `codex.user_prompt`, Gemini CLI `gemini_cli.user_prompt`),
 *   else, when the session has none, one of Claude Code's `claude_code.interaction`
 *   spans (one per prompt, traces only), else one of the user messages an
 *   imported transcript recorded. One source per session, so telemetry and an
 *   import of the same session never count a prompt twice.
 * - A **rejected call** is a tool call the harness's permission step refused
 *   (ingest types it `decision:<decision>[:<source>]`) on the human's word: the
 *   source is the user's (`user_reject`, `user_abort`, Codex `user`) or not
 *   reported. Refusals by a configuration rule, a hook or a classifier are not
 *   the human's and are not counted.
 * - A **human intervention** is a prompt or a rejected call. An **autonomous
 *   run** is the tool calls between two interventions (a rejected call closes
 *   the run it belongs to, and the next starts when it was refused); its time
 *   runs from the intervention that opened it to the end of the last call
 *   (model or tool) before the next one.
 */
export interface Delegation {
  prompts: number;
  /** 'events' | 'traces' | 'transcript' | '' (no prompt known: no level). */
  promptSource: '' | 'events' | 'traces' | 'transcript';
  longestRunCalls: number;
  longestRunSeconds: number;
  rejectedCalls: number;
  level: DelegationLevel;
}

export type DelegationLevel = '' | 'pair' | 'supervised' | 'delegated';

/** Where one level ends and the next begins (docs/outcomes.md says why these). */
export const DELEGATION_THRESHOLDS = {
  /** At most this many tool calls per prompt is pair work: the human steers nearly every step. */
  pairMaxCallsPerPrompt: 2,
  /** At least this many tool calls per prompt is delegated work. */
  delegatedMinCallsPerPrompt: 10,
  /** One run of at least this many tool calls without the human is delegated work, whatever the average. */
  delegatedMinRunCalls: 25,
} as const;

/** The harnesses' prompt events, by the name ingest stores them under (transcript imports use the same names). */
export const PROMPT_EVENT_NAMES: ReadonlySet<string> = new Set(['claude_code.user_prompt', 'codex.user_prompt', 'gemini_cli.user_prompt']);
/** Claude Code's trace span for one prompt and everything it caused. */
const INTERACTION_SPAN = 'claude_code.interaction';
/** Decision sources that are not the human at the keyboard. */
const NOT_HUMAN = /^(config|hook|classifier|policy)/i;

/** The level for a session's figures: '' when no prompt is known. */
export function delegationLevel(prompts: number, toolCalls: number, longestRunCalls: number): DelegationLevel {
  if (prompts === 0) return '';
  const perPrompt = toolCalls / prompts;
  const t = DELEGATION_THRESHOLDS;
  if (perPrompt >= t.delegatedMinCallsPerPrompt || longestRunCalls >= t.delegatedMinRunCalls) return 'delegated';
  return perPrompt <= t.pairMaxCallsPerPrompt ? 'pair' : 'supervised';
}

/** A tool call refused on the human's word (see Delegation). */
export function rejectedByHuman(sp: SessionSpan): boolean {
  if (!sp.errorType.startsWith('decision:')) return false;
  const source = sp.errorType.split(':')[2] ?? '';
  return !NOT_HUMAN.test(source);
}

const isToolCall = (sp: SessionSpan) => sp.type === 'tool' || sp.type === 'mcp';
const endMsOf = (sp: SessionSpan) => Number(sp.endNs) / 1e6;

function promptsOf(spans: readonly SessionSpan[]): { source: Delegation['promptSource']; ids: Set<string> } {
  const events = spans.filter((s) => PROMPT_EVENT_NAMES.has(s.spanName) && s.source !== 'transcript');
  if (events.length > 0) return { source: 'events', ids: new Set(events.map((s) => s.spanId)) };
  const traces = spans.filter((s) => s.spanName === INTERACTION_SPAN);
  if (traces.length > 0) return { source: 'traces', ids: new Set(traces.map((s) => s.spanId)) };
  const imported = spans.filter((s) => PROMPT_EVENT_NAMES.has(s.spanName) && s.source === 'transcript');
  if (imported.length > 0) return { source: 'transcript', ids: new Set(imported.map((s) => s.spanId)) };
  return { source: '', ids: new Set() };
}

/**
 * One session's delegation figures, from its spans in session order. Tool
 * calls count as the summary's ToolCalls do (tool and MCP calls), so tool
 * calls per prompt is that summary's ToolCalls / prompts.
 */
export function delegationOf(spans: readonly SessionSpan[], toolCalls: number): Delegation {
  const prompts = promptsOf(spans);
  let rejected = 0;
  let longestCalls = 0;
  let longestMs = 0;
  let run: { startMs: number; endMs: number; calls: number } | undefined;
  const close = () => {
    if (!run) return;
    longestCalls = Math.max(longestCalls, run.calls);
    longestMs = Math.max(longestMs, run.endMs - run.startMs);
    run = undefined;
  };
  for (const sp of spans) {
    if (prompts.ids.has(sp.spanId)) {
      close();
      run = { startMs: sp.startMs, endMs: sp.startMs, calls: 0 };
      continue;
    }
    const call = isToolCall(sp);
    if (!call && sp.type !== 'llm') continue;
    if (!run) run = { startMs: sp.startMs, endMs: sp.startMs, calls: 0 };
    run.endMs = Math.max(run.endMs, endMsOf(sp));
    if (!call) continue;
    run.calls++;
    if (rejectedByHuman(sp)) {
      rejected++;
      close();
      // The human spoke when the call was refused: what the agent does next is a new run from then.
      run = { startMs: endMsOf(sp), endMs: endMsOf(sp), calls: 0 };
    }
  }
  close();
  // Without a known prompt there is no run to speak of: the figures would only restate the session.
  const known = prompts.ids.size > 0;
  const runCalls = known ? longestCalls : 0;
  return {
    prompts: prompts.ids.size,
    promptSource: prompts.source,
    longestRunCalls: runCalls,
    longestRunSeconds: known ? Math.round(longestMs) / 1000 : 0,
    rejectedCalls: rejected,
    level: delegationLevel(prompts.ids.size, toolCalls, runCalls),
  };
}
