/** What instrumentAnthropic, instrumentOpenAI and instrumentGoogleGenAI share: wrapping one method of one client in place. */
import type { Attributes } from '@opentelemetry/api';
import { inModelCall, traceModelCall, type ModelCallMeta } from './model-call.js';
import { instrumentationFailed } from './stream.js';

export interface InstrumentClientOptions {
  /** gen_ai.provider.name. Default: the provider's semconv name (anthropic, openai, gcp.gemini or gcp.vertex_ai). */
  provider?: string;
  /** Extra attributes on every span. Default: none. */
  attributes?: Attributes;
}

/** Marks a wrapper with the function it wraps, so a second instrumentation leaves it alone. */
const WRAPPED = Symbol.for('fulcrum.instrumented.model-call');

type Method = ((...args: unknown[]) => unknown) & { [WRAPPED]?: unknown };

/** The request's model, or `unknown` when the caller passed none (the provider rejects that call anyway). */
export function requestModel(params: unknown): string {
  const model = params !== null && typeof params === 'object' ? (params as { model?: unknown }).model : undefined;
  return typeof model === 'string' && model !== '' ? model : 'unknown';
}

/**
 * Replaces owner[name] (an instance method, or an arrow-function property)
 * with one that runs each call in a model-call span and returns exactly what
 * the original returns. Does nothing when owner has no such method or it is
 * already wrapped; returns whether it wrapped.
 */
export function wrapModelMethod(owner: unknown, name: string, meta: (params: unknown) => ModelCallMeta): boolean {
  if (owner === null || typeof owner !== 'object') return false;
  const original = (owner as Record<string, unknown>)[name] as Method | undefined;
  if (typeof original !== 'function' || original[WRAPPED]) return false;
  const wrapped: Method = function (this: unknown, ...args: unknown[]) {
    if (inModelCall()) return original.apply(this, args);
    let m: ModelCallMeta;
    try {
      m = meta(args[0]);
    } catch (err) {
      instrumentationFailed(err);
      return original.apply(this, args);
    }
    return traceModelCall(m, () => original.apply(this, args));
  };
  wrapped[WRAPPED] = original;
  const own = Object.getOwnPropertyDescriptor(owner, name);
  Object.defineProperty(owner, name, { value: wrapped, writable: true, configurable: true, enumerable: own?.enumerable ?? false });
  return true;
}
