/** traceModelCall: a `chat {model}` span with token usage and cost. */
import { createContextKey, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { FULCRUM, GEN_AI, GEN_AI_OPERATION, priceModelCall } from '@fulcrum/vocab';
import { isApiPromise, observeApiPromise } from './instrument-api-promise.js';
import { checkInSession } from './outside-session.js';
import { recordFailure } from './run.js';
import { activeContext, getSettings, getTracer, withContext } from './state.js';
import { instrumentationFailed, observeStream } from './stream.js';
import { StreamUsage } from './stream-usage.js';
import { extractUsage, type TokenUsage } from './usage.js';

export interface ModelCallMeta {
  /** gen_ai.provider.name: anthropic, openai, gcp.gemini, ... */
  provider: string;
  /** Requested model; also names the span. */
  model: string;
  /** gen_ai.operation.name. Default: chat. */
  operation?: string;
  /** Extra span attributes. Default: none. */
  attributes?: Attributes;
  /**
   * Usage when the result does not carry it; for a stream it is called when
   * the read ends, and undefined falls back to the stream's events.
   * Default: read from the result, or from a stream's events.
   */
  usage?: (result: unknown) => TokenUsage | undefined;
}

/** Sets gen_ai.usage.*, response model/id, and fulcrum.cost.usd (or fulcrum.cost.unpriced). */
export function recordUsage(span: Span, requestModel: string, usage: TokenUsage): void {
  const set = (k: string, v: number | string | undefined): void => {
    if (v !== undefined) span.setAttribute(k, v);
  };
  set(GEN_AI.USAGE_INPUT_TOKENS, usage.inputTokens);
  set(GEN_AI.USAGE_OUTPUT_TOKENS, usage.outputTokens);
  set(GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadTokens);
  set(GEN_AI.USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheWriteTokens);
  set(GEN_AI.RESPONSE_MODEL, usage.responseModel);
  set(GEN_AI.RESPONSE_ID, usage.responseId);
  const cost = priceModelCall(
    { ...usage, model: usage.responseModel ?? requestModel, inputIncludesCacheRead: true, inputIncludesCacheWrite: true },
    getSettings().priceTable,
  );
  if (!cost.priced && usage.responseModel) {
    const byRequest = priceModelCall({ ...usage, model: requestModel, inputIncludesCacheRead: true, inputIncludesCacheWrite: true }, getSettings().priceTable);
    if (byRequest.priced) return void span.setAttribute(FULCRUM.COST_USD, byRequest.costUsd);
  }
  if (cost.priced) span.setAttribute(FULCRUM.COST_USD, cost.costUsd);
  else span.setAttribute(FULCRUM.COST_UNPRICED, true);
}

const MODEL_SPAN = createContextKey('fulcrum.model-call.span');

/**
 * True when the active span is a model-call span: an instrumented client
 * called inside traceModelCall (or inside another instrumented call, such as
 * the `create()` that Anthropic's `messages.stream()` makes) adds no second
 * span, so the call and its cost are counted once.
 */
export function inModelCall(): boolean {
  const ctx = activeContext();
  const span = ctx.getValue(MODEL_SPAN);
  return span !== undefined && trace.getSpan(ctx) === span;
}

/** Ends one model-call span once, from whichever outcome comes first. */
class ModelCallEnd {
  private ended = false;

  constructor(
    private readonly span: Span,
    private readonly meta: ModelCallMeta,
  ) {}

  /** The provider's result: a stream ends the span when its read ends, anything else now. */
  value = (result: unknown): void => {
    if (this.ended) return;
    const usage = new StreamUsage();
    const watching = observeStream(result, {
      onItem: (event) => usage.observe(event),
      // A failed or abandoned read still paid for what the provider counted so far.
      onEnd: (end) => this.finish(() => this.meta.usage?.(result) ?? usage.usage(), end.reason === 'failed' ? end : undefined),
    });
    if (!watching) this.finish(() => (this.meta.usage ? this.meta.usage(result) : extractUsage(result)));
  };

  /** The call failed before there was a result (HTTP error, throw). */
  error = (err: unknown): void => this.finish(() => undefined, { error: err });

  /** The body was never read (asResponse()): the call happened, its usage is unknown. */
  unparsed = (): void => this.finish(() => undefined);

  private finish(usage: () => TokenUsage | undefined, failure?: { error: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    try {
      const u = usage();
      if (u) recordUsage(this.span, this.meta.model, u);
    } catch {
      // A malformed result must not break the caller.
    }
    try {
      if (failure) recordFailure(this.span, failure.error);
    } finally {
      this.span.end();
    }
  }
}

/** Hooks the end of the span to result; returns what the caller gets (result itself, except for a foreign thenable). */
function settle<T>(result: T, end: ModelCallEnd): T {
  if (isApiPromise(result)) {
    observeApiPromise(result, { onValue: end.value, onError: end.error, onUnparsed: end.unparsed });
    return result;
  }
  if (result instanceof Promise) {
    result.then(end.value, end.error);
    return result;
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    return Promise.resolve(result).then(
      (v) => (end.value(v), v),
      (err: unknown) => {
        end.error(err);
        throw err;
      },
    ) as T;
  }
  end.value(result);
  return result;
}

function callInSpan<T>(span: Span, meta: ModelCallMeta, fn: (span: Span) => T): T {
  const end = new ModelCallEnd(span, meta);
  let result: T;
  try {
    result = fn(span);
  } catch (err) {
    end.error(err);
    throw err;
  }
  try {
    return settle(result, end);
  } catch (err) {
    // Instrumentation failed: the caller still gets its result, the span ends without usage.
    instrumentationFailed(err);
    end.unparsed();
    return result;
  }
}

/**
 * Runs fn (the provider call) in a `chat {model}` span and returns its result
 * unchanged: the same object, promise or stream. A promise's span ends when it
 * settles; a stream's (an async iterable, such as the Stream of
 * `messages.create({ stream: true })` or Google's generateContentStream, or an
 * SDK helper such as Anthropic's MessageStream) when its read ends: read to the
 * end, abandoned (`break`, `return()`, an abort before reading) or failed. A
 * stream nobody reads or aborts keeps its span open, so it is never exported.
 */
export function traceModelCall<T>(meta: ModelCallMeta, fn: (span: Span) => T): T {
  const operation = meta.operation ?? GEN_AI_OPERATION.CHAT;
  const attributes: Attributes = {
    ...meta.attributes,
    [GEN_AI.OPERATION_NAME]: operation,
    [GEN_AI.PROVIDER_NAME]: meta.provider,
    [GEN_AI.REQUEST_MODEL]: meta.model,
    [FULCRUM.SPAN_TYPE]: 'llm',
  };
  const name = `${operation} ${meta.model}`;
  const parent = activeContext();
  checkInSession(parent, name);
  const span = getTracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  const ctx = trace.setSpan(parent, span).setValue(MODEL_SPAN, span);
  if (!span.isRecording()) {
    // Nothing to record: leave the result (and any stream in it) untouched.
    span.end();
    return withContext(ctx, fn, undefined, span);
  }
  return withContext(ctx, callInSpan<T>, undefined, span, meta, fn);
}
