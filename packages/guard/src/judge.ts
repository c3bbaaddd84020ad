import type { GuardPolicy } from '@fulcrum/vocab';
import { classifySession, knownIdentity, type WasteKind } from '@fulcrum/query/engine/classify';
import type { SessionSpan } from '@fulcrum/query/engine/span';
import type { GuardConfig } from './config.js';
import type { GuardCall } from './state.js';

/** What the classifier would say of a call about to run, when a policy acts on it. */
export interface CallVerdict {
  policy: GuardPolicy;
  wasteKind: WasteKind;
  /** The earlier calls it repeats, with their 1-based step in the session. */
  anchors: { call: GuardCall; step: number }[];
  /** For a failing command: which run of it this would be (the anchor is run 1). */
  run: number;
  /** For a failing command: the earlier runs that ran and failed (a refused run never ran). */
  failedRuns: number;
  /** For an identical call: the earlier calls of the run did not all come out the same (a poll, not a loop). */
  outcomesDiffer: boolean;
  /**
   * Whether the evidence is strong enough to refuse the call, not just note it.
   * A breaker (failing command, identical call) refuses only when no human
   * prompt came since the first call it repeats (the human may have changed
   * something the session cannot see), and an identical call only when every
   * call of the run came out the same (same outcome, same result size): a poll
   * whose answer changes is not a loop.
   */
  refusable: boolean;
}

const POLICY_OF: Partial<Record<WasteKind, GuardPolicy>> = {
  failed_retry: 'failing_command',
  repeated_call: 'identical_call',
  redundant_read: 'reread',
  repeated_search: 'research',
};

/**
 * The classifier's verdict on a call before it runs. The call is added to the
 * session's calls so far, assumed to come out as the latest identical call
 * did (a command that failed, run again with nothing changed since, fails
 * again), and the session is classified exactly as the report classifies it.
 * Only `known` evidence acts: a verdict resting on argument sizes alone, or
 * with a shell command of unknown effect in between, never denies or notes.
 */
export function judgeCall(calls: readonly GuardCall[], candidate: SessionSpan, config: GuardConfig, lastPromptAtStep = 0): CallVerdict | undefined {
  const identity = knownIdentity(candidate);
  if (identity === '') return undefined;
  // The twin whose outcome the call is assumed to repeat: a shell call is the same command (the classifier's
  // retry key: a reworded description does not make a new command), any other call the same arguments.
  const sameCall = candidate.commandKey
    ? (s: SessionSpan) => s.toolName === candidate.toolName && s.commandKey === candidate.commandKey
    : (s: SessionSpan) => knownIdentity(s) === identity;
  let twin: GuardCall | undefined;
  for (let i = calls.length - 1; i >= 0 && !twin; i--) if (calls[i]!.settled && sameCall(calls[i]!.span)) twin = calls[i];
  const assumed: SessionSpan = { ...candidate, success: twin ? twin.span.success : true, resultSize: twin ? twin.span.resultSize : 0, fileUnchanged: false };
  // A call whose outcome is not known yet counts as having succeeded: it can then never make a failure chain.
  const spans = calls.map((c) => c.span);
  const verdicts = classifySession([...spans, assumed], { minRepeat: config.minRepeat });
  const v = verdicts.find((x) => x.spanId === assumed.spanId);
  if (!v || v.evidence !== 'known') return undefined;
  const policy = POLICY_OF[v.kind];
  if (!policy) return undefined;
  const step = new Map(calls.map((c, i) => [c.span.spanId, i + 1]));
  const anchors = v.anchorSpanIds.flatMap((id) => (step.has(id) ? [{ call: calls[step.get(id)! - 1]!, step: step.get(id)! }] : []));
  const run = v.kind === 'failed_retry' ? verdicts.filter((x) => x.findingId === v.findingId).length + 1 : 0;
  if (policy === 'failing_command' && run < config.failingCommand.threshold) return undefined;
  const first = anchors[0]?.step ?? calls.length + 1;
  let outcomesDiffer = false;
  if (policy === 'identical_call') {
    const members = calls.slice(first - 1).filter((c) => knownIdentity(c.span) === identity);
    outcomesDiffer = !members.every((c) => c.settled && c.span.success === members[0]!.span.success && c.span.resultSize === members[0]!.span.resultSize);
  }
  const chain = new Set(verdicts.filter((x) => x.findingId === v.findingId).map((x) => x.spanId));
  const failedRuns = v.kind === 'failed_retry' ? calls.filter((c) => (chain.has(c.span.spanId) || c === anchors[0]?.call) && !c.denied).length : 0;
  const refusable = lastPromptAtStep < first && !outcomesDiffer;
  return { policy, wasteKind: v.kind, anchors, run, failedRuns, outcomesDiffer, refusable };
}
