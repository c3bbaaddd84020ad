import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redact, type GuardDecision, type GuardPolicy } from '@fulcrum/vocab';
import { knownIdentity } from '@fulcrum/query/engine/classify';
import type { SpanRow } from '@fulcrum/store/tables/spans';
import { budgetStanding, savedPerCall, windowStartOf } from './budget.js';
import { callSpan } from './calls.js';
import { defaultGuardConfig, POLICY_KEYS, type GuardConfig, type GuardMode } from './config.js';
import { type GuardAnswer, type GuardEvent, type GuardHarness, type HarnessAdapter, type HookReply } from './events.js';
import { ADAPTERS } from './harness/index.js';
import type { Intervention } from './intervention.js';
import { judgeCall, type CallVerdict } from './judge.js';
import { budgetReason, budgetWarning, denyReason, noteText } from './reasons.js';
import { interventionKey, sendInterventions, type RecordTarget } from './record.js';
import { loadState, lockSession, saveState, stateFile, type GuardCall, type GuardState } from './state.js';
import { readTranscriptTail } from './transcript.js';
import { groupBudgetApplies, groupSpendFor, type GroupSpend } from './server-spend.js';

export interface HookOptions {
  harness: GuardHarness;
  /** The hook's stdin, as the harness wrote it. */
  input: string;
  /** Where per-session state files live. */
  stateDir: string;
  /** Policies and thresholds. @default defaultGuardConfig('warn') */
  config?: GuardConfig;
  /** The Fulcrum server: interventions are recorded there, and team and repository budgets judged by its figures. None keeps interventions in the session's outbox. @default undefined */
  record?: RecordTarget;
  /** The clock, ms since the epoch. @default Date.now */
  now?: () => number;
}

/** A hook call's outcome: the reply for the harness, and what the guard did. */
export interface HookResult {
  reply: HookReply;
  /** What was recorded this call (observe mode included). */
  interventions: Intervention[];
  /** Set when the guard failed and let the call through (fail-open); the entry point logs it. */
  error?: Error;
}

const MAX_ERROR_TEXT = 300;

/**
 * One hook invocation: parse the harness's JSON, bring the session's state up
 * to date (the transcript's new lines, the hook's own call), judge, answer.
 * Fail-open: any error allows the call, and is returned for one log line.
 */
export async function runHook(options: HookOptions): Promise<HookResult> {
  const adapter = ADAPTERS[options.harness];
  let release: (() => void) | undefined;
  try {
    const event = adapter.parse(JSON.parse(options.input));
    const config = options.config ?? defaultGuardConfig('warn');
    const nowMs = (options.now ?? Date.now)();
    mkdirSync(options.stateDir, { recursive: true });
    const file = stateFile(options.stateDir, event.harness, event.sessionId);
    // The team's and repository's spend, asked of the server before the lock (other hooks need not wait for it), at most every 30 s.
    const groups =
      options.record && (event.kind === 'before_tool' || event.kind === 'prompt') && groupBudgetApplies(options.record, config)
        ? await groupSpendFor(`${file}.groups`, options.record, config, nowMs)
        : undefined;
    release = lockSession(file);
    if (!release) return { reply: adapter.reply({ action: 'none' }, event), interventions: [], error: new Error('state lock not acquired in time; call allowed') };
    const state = loadState(file, event.harness, event.sessionId);
    catchUp(state, event, config);
    const interventions: Intervention[] = [];
    const answer = handle(state, event, adapter, config, nowMs, interventions, groups);
    state.outbox.push(...interventions);
    if (state.outbox.length > MAX_OUTBOX) state.outbox.splice(0, state.outbox.length - MAX_OUTBOX);
    saveState(file, state);
    release();
    release = undefined;
    const reply = adapter.reply(answer, event);
    // The harness waits for the hook to exit: a server that is down costs one send timeout per minute, not one per call.
    if (options.record && state.outbox.length > 0 && nowMs >= (state.outboxRetryAtMs ?? 0)) await flushOutbox(file, event, state.outbox, options.record, nowMs);
    return { reply, interventions };
  } catch (err) {
    return { reply: adapter.reply({ action: 'none' }, { hookEventName: '', kind: 'other' } as GuardEvent), interventions: [], error: err as Error };
  } finally {
    release?.();
  }
}

/** Sends the session's outbox; what the server accepted leaves it (under the lock, as hooks may run side by side). */
async function flushOutbox(file: string, event: GuardEvent, pending: readonly Intervention[], target: RecordTarget, nowMs: number): Promise<void> {
  const accepted = await sendInterventions(pending, target);
  const release = lockSession(file);
  if (!release) return;
  try {
    const state = loadState(file, event.harness, event.sessionId);
    if (accepted) {
      const sent = new Set(pending.map(interventionKey));
      state.outbox = state.outbox.filter((i) => !sent.has(interventionKey(i)));
      delete state.outboxRetryAtMs;
    } else state.outboxRetryAtMs = nowMs + OUTBOX_RETRY_MS;
    saveState(file, state);
  } finally {
    release();
  }
}

/** After a send the server did not accept, the outbox waits this long before the next try. */
const OUTBOX_RETRY_MS = 60_000;
/** An outbox never holds more (a server refusing for good, such as a revoked key): the oldest go first. */
const MAX_OUTBOX = 1000;

/** Reads the transcript's new lines: model calls (spend), and outcomes the hooks could not tell (Codex's exit codes). */
function catchUp(state: GuardState, event: GuardEvent, config: GuardConfig): void {
  if (!event.transcriptPath) return;
  let rows: SpanRow[];
  try {
    const tail = readTranscriptTail(event.harness, event.transcriptPath, state.transcript, { prices: config.prices });
    rows = tail.rows;
    state.transcript = tail.cursor;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // not written yet
    throw err;
  }
  for (const row of rows) {
    if (row.SpanType === 'llm') {
      const ms = Number(BigInt(row.Timestamp) / 1_000_000n);
      const w = String(windowStartOf(ms, config.budget.windowMinutes));
      state.model.calls++;
      state.model.spendUsd += row.CostUsd;
      state.model.windows[w] = (state.model.windows[w] ?? 0) + row.CostUsd;
      continue;
    }
    if (!row.ToolCallId) continue;
    const call = state.calls.find((c) => !c.settled && c.callId === row.ToolCallId);
    if (!call) continue;
    call.settled = true;
    call.span.success = row.Success;
    call.span.resultSize = row.ResultSize;
    call.span.fileUnchanged = row.FileUnchanged;
    if (!row.Success && row.StatusMessage) call.errorText = cap(row.StatusMessage);
  }
}

const cap = (s: string) => redact(s.length > MAX_ERROR_TEXT * 4 ? s.slice(0, MAX_ERROR_TEXT * 4) : s).slice(0, MAX_ERROR_TEXT);

function handle(state: GuardState, event: GuardEvent, adapter: HarnessAdapter, config: GuardConfig, nowMs: number, out: Intervention[], groups: GroupSpend | undefined): GuardAnswer {
  const intervene = (policy: GuardPolicy, decision: GuardDecision, mode: GuardMode, reason: string, v?: CallVerdict, savedUsd = 0) =>
    out.push({
      harness: event.harness, sessionId: event.sessionId, timeMs: nowMs, policy, decision, mode, wasteKind: v?.wasteKind ?? '',
      toolName: event.toolName, toolCallId: event.toolCallId, anchorCallIds: v ? v.anchors.map((a) => a.call.callId).filter(Boolean) : [],
      savedUsd, reason,
    });

  if (event.kind === 'prompt') {
    // Calls before it cannot anchor a refusal after it: the human may have changed what the session cannot see.
    state.lastPromptAtStep = state.calls.length;
    const b = budgetStanding(state, config, nowMs, groups);
    if (b?.level !== 'over') return { action: 'none' };
    const reason = budgetReason(b);
    const mode = config.budget.mode;
    intervene('budget', mode === 'enforce' ? 'stopped' : 'observed', mode, reason);
    return mode === 'enforce' ? { action: 'block_prompt', reason } : { action: 'none' };
  }

  if (event.kind === 'after_batch') {
    // The budget stop a before-tool hook decided: the harness that stops here (Claude Code) stops now.
    const reason = state.stopPending;
    delete state.stopPending;
    return reason ? { action: 'stop', reason } : { action: 'none' };
  }

  if (event.kind === 'after_tool') {
    const call = findCall(state, event, adapter);
    if (!call) return { action: 'none' };
    const o = event.outcome;
    if (o && o.success !== undefined) {
      call.settled = true;
      call.span.success = o.success;
    }
    // Codex gives the output without the exit code: kept, in case the transcript then says the command failed.
    if (o && o.success !== true && o.errorText) call.errorText = cap(o.errorText);
    if (o) {
      call.span.resultSize = o.resultSize;
      call.span.fileUnchanged = o.fileUnchanged;
    }
    const note = call.note;
    delete call.note;
    return note ? { action: 'note', message: note } : { action: 'none' };
  }

  if (event.kind !== 'before_tool') return { action: 'none' };

  const span = callSpan(event, adapter.call(event), state.calls.length + 1, nowMs);
  const call: GuardCall = { span, callId: event.toolCallId, settled: false, denied: false };
  const saved = savedPerCall(state);
  let answer: GuardAnswer = { action: 'none' };
  const notes: string[] = [];

  const budget = budgetStanding(state, config, nowMs, groups);
  const verdict = judgeCall(state.calls, span, config, state.lastPromptAtStep ?? 0);
  state.calls.push(call);

  if (budget?.level === 'over') {
    const mode = config.budget.mode;
    const reason = budgetReason(budget);
    if (mode === 'enforce') {
      intervene('budget', 'stopped', mode, reason, undefined, saved);
      refuse(call);
      state.stopPending = reason;
      return { action: 'stop', reason };
    }
    if (mode === 'warn') notes.push(reason.replace('stopped this session', 'would stop this session in enforce mode'));
    intervene('budget', mode === 'warn' ? 'warned' : 'observed', mode, reason, undefined, saved);
  } else if (budget?.level === 'near' && state.budgetWarnedWindow !== budget.windowStartMs) {
    state.budgetWarnedWindow = budget.windowStartMs;
    const mode = config.budget.mode;
    const text = budgetWarning(budget);
    if (mode !== 'observe') notes.push(text);
    intervene('budget', mode === 'observe' ? 'observed' : 'warned', mode, text);
  }

  if (verdict) {
    const mode = config[POLICY_KEYS[verdict.policy]].mode;
    const breaker = verdict.policy === 'failing_command' || verdict.policy === 'identical_call';
    if (breaker && mode === 'enforce' && verdict.refusable) {
      const reason = denyReason(verdict);
      intervene(verdict.policy, 'denied', mode, reason, verdict, saved);
      refuse(call);
      answer = { action: 'deny', reason };
    } else if (verdict.outcomesDiffer) {
      // Identical calls whose answers changed (a poll): the report counts them, but "the same result again" would be untrue to the model.
      intervene(verdict.policy, 'observed', mode, 'identical consecutive calls whose results differed: recorded, not refused or noted', verdict, 0);
    } else {
      // What observe records is what enforce would have said.
      const text = mode === 'observe' && breaker && verdict.refusable ? denyReason(verdict) : noteText(verdict);
      if (mode !== 'observe') notes.push(text);
      intervene(verdict.policy, mode === 'observe' ? 'observed' : 'warned', mode, text, verdict, breaker ? saved : 0);
    }
  }
  if (answer.action === 'none' && notes.length > 0) call.note = notes.join('\n');
  return answer;
}

/** A refused call never runs; the harness reports it to the model as failed, and so does the guard's history. */
function refuse(call: GuardCall): void {
  call.denied = true;
  call.settled = true;
  call.span.success = false;
  call.errorText = 'refused by the Fulcrum guard';
}

/** The call an after-tool hook reports: by call id, else (Gemini CLI: no ids) the oldest unsettled call with the same tool and arguments. */
function findCall(state: GuardState, event: GuardEvent, adapter: HarnessAdapter): GuardCall | undefined {
  if (event.toolCallId) return state.calls.find((c) => c.callId === event.toolCallId && !c.denied);
  const probe = callSpan(event, adapter.call(event), 0, 0);
  const id = knownIdentity(probe);
  return state.calls.find((c) => !c.settled && !c.denied && c.span.toolName === probe.toolName && knownIdentity(c.span) === id);
}

/** Appends one line to the guard's log (the hook's only output besides its answer). Never throws. */
export function logLine(stateDir: string, line: string): void {
  try {
    mkdirSync(stateDir, { recursive: true });
    appendFileSync(join(stateDir, 'guard.log'), `${new Date().toISOString()} ${line.replace(/\n/g, ' ')}\n`);
  } catch {
    // Nowhere left to say it: the call is allowed all the same.
  }
}
