/** traceModelCall: a `chat {model}` span with token usage and cost. */
import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { FULCRUM, GEN_AI, GEN_AI_OPERATION, priceModelCall } from '@fulcrum/vocab';
import { runInSpan } from './run.js';
import { getSettings } from './state.js';
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
  /** Usage when the result does not carry it (streams). Default: read from the result. */
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

/** Runs fn (the provider call) in a `chat {model}` span; returns its result unchanged. */
export function traceModelCall<T>(meta: ModelCallMeta, fn: (span: Span) => T): T {
  const operation = meta.operation ?? GEN_AI_OPERATION.CHAT;
  const attributes: Attributes = {
    ...meta.attributes,
    [GEN_AI.OPERATION_NAME]: operation,
    [GEN_AI.PROVIDER_NAME]: meta.provider,
    [GEN_AI.REQUEST_MODEL]: meta.model,
    [FULCRUM.SPAN_TYPE]: 'llm',
  };
  return runInSpan({ name: `${operation} ${meta.model}`, kind: SpanKind.CLIENT, attributes }, fn, (span, result) => {
    const usage = meta.usage ? meta.usage(result) : extractUsage(result);
    if (usage) recordUsage(span, meta.model, usage);
  });
}
