/**
 * SDK messages → model-call spans. Claude Code streams one assistant message
 * per content block, so several messages share a message id: each id is one
 * API call and one `chat {model}` span. The spans are completed when the
 * turn's result arrives (claude-agent-usage.ts explains why) and dated from
 * the first to the last message of the call, starting no later than the tool
 * calls it issued.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { FULCRUM, GEN_AI, GEN_AI_OPERATION, normaliseModelName } from '@fulcrum/vocab';
import type { AgentResultUsage } from './claude-agent-hooks.js';
import { now, type ClaudeSpanTree } from './claude-agent-spans.js';
import { reconcileTurn, type CallTokens, type HarnessUsage, type ReconciledCall } from './claude-agent-usage.js';
import { recordFailure } from './run.js';
import { getSettings, getTracer } from './state.js';

const COST_SOURCE = FULCRUM.COST_SOURCE;
const OUTPUT_ESTIMATED = FULCRUM.USAGE_OUTPUT_ESTIMATED;
const UNSEEN_CALLS = FULCRUM.LLM_UNSEEN_CALLS;

interface ChatCall extends CallTokens {
  /** The API's message id; undefined for a subagent's answering call, known only from its Agent result. */
  id: string | undefined;
  sessionId: string;
  model: string;
  /** parent_tool_use_id: the Agent call whose subagent made the call; undefined on the main thread. */
  thread: string | undefined;
  firstSeen: number;
  lastSeen: number;
  toolUseIds: string[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' ? (v as Obj) : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** modelUsage keys carry the context window (`claude-opus-4-8[1m]`); messages do not. */
const modelKey = (model: string): string => normaliseModelName(model);

const TERMINAL_TASK = new Set(['completed', 'failed', 'stopped', 'killed', 'cancelled']);

export class ClaudeMessageHandler {
  /** Model calls of the turn in progress, by message id. */
  private readonly calls = new Map<string, ChatCall>();
  /** The message each thread is streaming (stream_event message_start → message_delta). */
  private readonly streaming = new Map<string, string>();
  /** Claude Code's running totals per session and model (modelUsage is cumulative over the session). */
  private readonly totals = new Map<string, Map<string, HarnessUsage>>();
  /** Subagents' answering calls by Agent call id (the hook and the message both report one). */
  private readonly agentResults = new Map<string, AgentResultUsage>();

  constructor(private readonly tree: ClaudeSpanTree) {}

  /** A subagent's final usage, from its Agent call's result (hook or message). */
  agentResult(result: AgentResultUsage): void {
    if (!this.agentResults.has(result.toolUseId)) this.agentResults.set(result.toolUseId, result);
  }

  record(message: unknown): void {
    const m = obj(message);
    const sessionId = text(m?.session_id);
    if (!m || sessionId === undefined) return;
    switch (m.type) {
      case 'assistant':
        return this.assistant(sessionId, m);
      case 'stream_event':
        return this.streamEvent(sessionId, m);
      case 'system':
        return this.system(sessionId, m);
      case 'user':
        return this.user(sessionId, m);
      case 'result':
        return this.result(sessionId, m);
    }
  }

  private call(sessionId: string, message: Obj, thread: string | undefined): ChatCall | undefined {
    const id = text(message.id);
    const model = text(message.model);
    const usage = obj(message.usage);
    // Claude Code's own notices (API errors) come as assistant messages of a '<synthetic>' model.
    if (id === undefined || model === undefined || model.startsWith('<') || !usage) return undefined;
    let call = this.calls.get(id);
    if (!call) {
      const t = now();
      call = {
        id,
        sessionId,
        model,
        thread,
        input: count(usage.input_tokens),
        cacheRead: count(usage.cache_read_input_tokens),
        cacheWrite: count(usage.cache_creation_input_tokens),
        output: undefined,
        firstSeen: t,
        lastSeen: t,
        toolUseIds: [],
      };
      this.calls.set(id, call);
    }
    // A subagent's span exists before the first call made in it.
    if (thread !== undefined) this.tree.agentForCall(sessionId, thread).lastActivity = now();
    return call;
  }

  private assistant(sessionId: string, m: Obj): void {
    const message = obj(m.message);
    if (!message) return;
    const call = this.call(sessionId, message, text(m.parent_tool_use_id));
    if (!call) return;
    call.lastSeen = now();
    if (!Array.isArray(message.content)) return;
    for (const block of message.content) {
      const b = obj(block);
      const id = b?.type === 'tool_use' ? text(b.id) : undefined;
      if (id !== undefined && !call.toolUseIds.includes(id)) call.toolUseIds.push(id);
    }
  }

  /** includePartialMessages: message_start opens the call, message_delta carries its final output tokens. */
  private streamEvent(sessionId: string, m: Obj): void {
    const event = obj(m.event);
    const thread = text(m.parent_tool_use_id);
    const key = thread ?? '';
    if (event?.type === 'message_start') {
      const message = obj(event.message);
      const call = message && this.call(sessionId, message, thread);
      if (call?.id !== undefined) this.streaming.set(key, call.id);
      return;
    }
    if (event?.type === 'message_delta') {
      const id = this.streaming.get(key);
      const call = id === undefined ? undefined : this.calls.get(id);
      const output = obj(event.usage)?.output_tokens;
      if (call && typeof output === 'number') {
        call.output = count(output);
        call.lastSeen = now();
      }
    }
  }

  private system(sessionId: string, m: Obj): void {
    if (m.subtype === 'init') {
      const model = text(m.model);
      this.tree.session(sessionId, { [GEN_AI.PROVIDER_NAME]: 'anthropic', ...(model ? { [GEN_AI.REQUEST_MODEL]: model } : {}) });
      return;
    }
    const agentId = text(m.task_id);
    if (agentId === undefined) return;
    if (m.subtype === 'task_started') {
      const toolUseId = text(m.tool_use_id);
      // Background shells are tasks too; only subagents get an agent span.
      const subagentType = text(m.subagent_type);
      if (toolUseId !== undefined && (subagentType !== undefined || m.task_type === 'local_agent')) this.tree.bindAgent(sessionId, agentId, toolUseId, subagentType);
      return;
    }
    if (m.subtype === 'task_notification' && TERMINAL_TASK.has(String(m.status))) {
      const node = this.tree.agentIfKnown(agentId);
      if (node) this.tree.endAgent(node);
    }
  }

  /** The Agent call's result message carries the subagent's final usage, like the PostToolUse hook does. */
  private user(sessionId: string, m: Obj): void {
    const thread = text(m.parent_tool_use_id);
    if (thread !== undefined) this.tree.agentForCall(sessionId, thread).lastActivity = now();
    const result = obj(m.tool_use_result);
    const content = obj(m.message)?.content;
    if (!result || result.agentId === undefined || !Array.isArray(content)) return;
    for (const block of content) {
      const id = obj(block)?.type === 'tool_result' ? text(obj(block)?.tool_use_id) : undefined;
      if (id !== undefined) this.agentResult({ sessionId, toolUseId: id, usage: result.usage, model: result.resolvedModel, at: now() });
    }
  }

  private result(sessionId: string, m: Obj): void {
    const session = this.tree.session(sessionId);
    if (m.is_error === true) recordFailure(session, text(m.subtype) ?? 'error', text(m.subtype) ?? 'error');
    this.completeTurn(sessionId, this.turnUsage(sessionId, obj(m.modelUsage)));
  }

  /** This turn's share of Claude Code's cumulative per-model totals. */
  private turnUsage(sessionId: string, modelUsage: Obj | undefined): Map<string, HarnessUsage> | undefined {
    if (!modelUsage) return undefined;
    const current = new Map<string, HarnessUsage>();
    for (const [model, value] of Object.entries(modelUsage)) {
      const u = obj(value);
      if (!u) continue;
      const key = modelKey(model);
      const sum = current.get(key) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: 0 };
      sum.input += count(u.inputTokens);
      sum.output += count(u.outputTokens);
      sum.cacheRead += count(u.cacheReadInputTokens);
      sum.cacheWrite += count(u.cacheCreationInputTokens);
      sum.costUsd += count(u.costUSD);
      current.set(key, sum);
    }
    const previous = this.totals.get(sessionId);
    this.totals.set(sessionId, current);
    if (!previous) return current;
    const turn = new Map<string, HarnessUsage>();
    for (const [key, total] of current) {
      const before = previous.get(key);
      const d = before && {
        input: total.input - before.input,
        output: total.output - before.output,
        cacheRead: total.cacheRead - before.cacheRead,
        cacheWrite: total.cacheWrite - before.cacheWrite,
        costUsd: total.costUsd - before.costUsd,
      };
      // A total that went down restarted (a new process behind the same session id): it is the turn's own.
      turn.set(key, d && d.input >= 0 && d.output >= 0 && d.cacheRead >= 0 && d.cacheWrite >= 0 && d.costUsd >= -1e-12 ? { ...d, costUsd: Math.max(0, d.costUsd) } : total);
    }
    return turn;
  }

  /** Ends the model-call spans of a session's turn; with Claude Code's totals when it gave them. */
  completeTurn(sessionId: string, harness: Map<string, HarnessUsage> | undefined): void {
    const calls = [...this.calls.values()].filter((c) => c.sessionId === sessionId);
    for (const c of calls) if (c.id !== undefined) this.calls.delete(c.id);
    this.addAnsweringCalls(sessionId, calls);
    const byModel = new Map<string, ChatCall[]>();
    for (const c of calls) {
      const key = modelKey(c.model);
      byModel.set(key, [...(byModel.get(key) ?? []), c]);
    }
    const totals = harness && pairModels(byModel, harness);
    const models = new Set([...byModel.keys(), ...(totals?.keys() ?? [])]);
    const prices = getSettings().priceTable;
    for (const model of models) {
      const mine = byModel.get(model) ?? [];
      const done = reconcileTurn(model, mine, totals?.get(model), prices);
      mine.forEach((c, i) => this.emit(c, done.calls[i]));
      if (done.unseen) this.emitUnseen(sessionId, model, done.unseen);
    }
    this.streaming.clear();
    this.tree.forgetToolStarts();
  }

  /** Ends what the turn has so far (the stream ended without a result). */
  flush(): void {
    for (const sessionId of new Set([...this.calls.values()].map((c) => c.sessionId))) this.completeTurn(sessionId, undefined);
  }

  /**
   * Each finished subagent's answering call, from its Agent result: the exact
   * output of a streamed call with the same input and cache tokens, else a
   * call of its own (Claude Code does not stream a subagent's final answer).
   */
  private addAnsweringCalls(sessionId: string, calls: ChatCall[]): void {
    for (const [toolUseId, r] of this.agentResults) {
      if (r.sessionId !== sessionId) continue;
      const u = obj(r.usage);
      this.agentResults.delete(toolUseId);
      if (!u || typeof u.output_tokens !== 'number') continue;
      const tokens = { input: count(u.input_tokens), cacheRead: count(u.cache_read_input_tokens), cacheWrite: count(u.cache_creation_input_tokens), output: count(u.output_tokens) };
      const thread = calls.filter((c) => c.thread === toolUseId);
      const streamed = thread.filter((c) => c.output === undefined && c.input === tokens.input && c.cacheRead === tokens.cacheRead && c.cacheWrite === tokens.cacheWrite).pop();
      if (streamed) {
        streamed.output = tokens.output;
        continue;
      }
      const model = text(r.model)?.replace(/\[[^\]]*\]$/, '') ?? thread[thread.length - 1]?.model;
      if (model === undefined) continue;
      const node = this.tree.agentForCall(sessionId, toolUseId);
      // It answered before the subagent stopped, after the subagent's last message or tool call.
      const end = Math.min(r.at, node.endedAt ?? r.at);
      const start = Math.min(end, Math.max(node.lastActivity ?? end, ...thread.map((c) => c.lastSeen)));
      calls.push({ id: undefined, sessionId, model, thread: toolUseId, ...tokens, firstSeen: start, lastSeen: end, toolUseIds: [] });
    }
  }

  private attributes(model: string, r: ReconciledCall): Attributes {
    const attrs: Attributes = {
      [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION.CHAT,
      [GEN_AI.PROVIDER_NAME]: 'anthropic',
      [GEN_AI.REQUEST_MODEL]: model,
      [FULCRUM.SPAN_TYPE]: 'llm',
      // As the conventions count it: input includes the cached tokens.
      [GEN_AI.USAGE_INPUT_TOKENS]: r.input + r.cacheRead + r.cacheWrite,
      [GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS]: r.cacheRead,
      [GEN_AI.USAGE_CACHE_CREATION_INPUT_TOKENS]: r.cacheWrite,
    };
    if (r.output !== undefined) attrs[GEN_AI.USAGE_OUTPUT_TOKENS] = r.output;
    if (r.outputEstimated) attrs[OUTPUT_ESTIMATED] = true;
    if (r.costUsd !== undefined) attrs[FULCRUM.COST_USD] = r.costUsd;
    else attrs[FULCRUM.COST_UNPRICED] = true;
    if (r.costSource !== undefined) attrs[COST_SOURCE] = r.costSource;
    return attrs;
  }

  private emit(c: ChatCall, r: ReconciledCall): void {
    let start = c.firstSeen;
    // The call issued these tools, so it started before them even when its messages were read later.
    for (const id of c.toolUseIds) {
      const toolStart = this.tree.toolStart(id);
      if (toolStart !== undefined && toolStart <= start) start = toolStart - 0.001;
    }
    const attributes: Attributes = { ...this.attributes(c.model, r), [GEN_AI.RESPONSE_MODEL]: c.model };
    if (c.id !== undefined) attributes[GEN_AI.RESPONSE_ID] = c.id;
    const parent = this.tree.threadSpan(c.sessionId, c.thread);
    const span = getTracer().startSpan(`${GEN_AI_OPERATION.CHAT} ${c.model}`, { kind: SpanKind.CLIENT, startTime: start, attributes }, this.tree.contextOf(parent, c.sessionId));
    span.end(Math.max(start, c.lastSeen));
  }

  private emitUnseen(sessionId: string, model: string, r: ReconciledCall): void {
    const t = now();
    const attributes = { ...this.attributes(model, r), [UNSEEN_CALLS]: true };
    const parent = this.tree.session(sessionId);
    getTracer().startSpan(`${GEN_AI_OPERATION.CHAT} ${model}`, { kind: SpanKind.CLIENT, startTime: t, attributes }, this.tree.contextOf(parent, sessionId)).end(t);
  }
}

/**
 * The totals by the models the calls were grouped under. One model named two
 * ways (a dated id in the messages, an alias in the totals) would otherwise
 * count every call twice: once seen, once as unseen.
 */
function pairModels(calls: Map<string, unknown>, harness: Map<string, HarnessUsage>): Map<string, HarnessUsage> {
  const lonelyCalls = [...calls.keys()].filter((k) => !harness.has(k));
  const lonelyTotals = [...harness.keys()].filter((k) => !calls.has(k));
  if (lonelyCalls.length !== 1 || lonelyTotals.length !== 1) return harness;
  const paired = new Map(harness);
  paired.set(lonelyCalls[0], harness.get(lonelyTotals[0])!);
  paired.delete(lonelyTotals[0]);
  return paired;
}
