/** Runs a function inside an active span, sync or async, recording the outcome. */
import { SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanKind } from '@opentelemetry/api';
import { FULCRUM, GENERAL } from '@fulcrum/vocab';
import { checkInSession } from './outside-session.js';
import { markRedacted } from './pre-redacted.js';
import { activeContext, getSettings, getTracer, withContext } from './state.js';

export interface SpanSpec {
  name: string;
  kind?: SpanKind;
  attributes: Attributes;
  /** Set fulcrum.success on the span. Default: false. */
  markSuccess?: boolean;
  /** The tool arguments and command in attributes are already redacted. Default: false. */
  preRedacted?: boolean;
}

/** The part of a spec that decides how the outcome is recorded. */
export interface Outcome {
  markSuccess?: boolean;
  /** Records fulcrum.success=true instead of setAttribute (traceToolCall defers it). Default: setAttribute. */
  onSuccess?: (span: Span) => void;
}

/** Reads the result into attributes; may return an error type when the result is a failure. */
export type ResultHook<T> = (span: Span, value: Awaited<T>) => string | void;

function errorType(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? err.name : err.constructor?.name || 'Error';
  return '_OTHER';
}

/** Marks the span failed: error.type, ERROR status, the exception event. */
export function recordFailure(span: Span, err: unknown, type = errorType(err), markSuccess = false): void {
  span.setAttribute(GENERAL.ERROR_TYPE, type);
  if (markSuccess) span.setAttribute(FULCRUM.SUCCESS, false);
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : undefined;
  if (err instanceof Error) span.recordException(err);
  span.setStatus(message ? { code: SpanStatusCode.ERROR, message } : { code: SpanStatusCode.ERROR });
}

function finish<T>(span: Span, spec: Outcome, value: Awaited<T>, onResult?: ResultHook<T>): void {
  let failed: string | void = undefined;
  if (onResult) {
    try {
      failed = onResult(span, value);
    } catch {
      // A malformed result must not break the caller.
    }
  }
  if (failed) recordFailure(span, new Error(failed), failed, spec.markSuccess);
  else if (spec.markSuccess) {
    if (spec.onSuccess) spec.onSuccess(span);
    else span.setAttribute(FULCRUM.SUCCESS, true);
  }
  span.end();
}

function fail(span: Span, spec: Outcome, err: unknown): void {
  recordFailure(span, err, undefined, spec.markSuccess);
  span.end();
}

/**
 * Calls fn(span) in a new active span and returns exactly what fn returns. A
 * native promise is returned as is (the span ends when it settles); another
 * thenable is awaited once through Promise.resolve. Errors are rethrown unchanged.
 */
export function runInSpan<T>(spec: SpanSpec, fn: (span: Span) => T, onResult?: ResultHook<T>): T {
  const parent = activeContext();
  checkInSession(parent, spec.name);
  const span = getTracer().startSpan(spec.name, { kind: spec.kind, attributes: spec.attributes }, parent);
  if (spec.preRedacted) markRedacted(span, getSettings().redactor, spec.attributes);
  return runStartedSpan(span, parent, spec, fn, onResult);
}

/**
 * What startActiveSpan does with its callback, minus the per-call closure: fn
 * and the result handling run with span active in parent.
 */
export function runStartedSpan<T>(span: Span, parent: Context, spec: Outcome, fn: (span: Span) => T, onResult?: ResultHook<T>): T {
  return withContext(trace.setSpan(parent, span), body<T>, undefined, span, spec, fn, onResult);
}

function body<T>(span: Span, spec: Outcome, fn: (span: Span) => T, onResult: ResultHook<T> | undefined): T {
  let result: T;
  try {
    result = fn(span);
  } catch (err) {
    fail(span, spec, err);
    throw err;
  }
  if (result instanceof Promise) {
    result.then(
      (v) => finish(span, spec, v as Awaited<T>, onResult),
      (err) => fail(span, spec, err),
    );
    return result;
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    return Promise.resolve(result).then(
      (v) => {
        finish(span, spec, v as Awaited<T>, onResult);
        return v;
      },
      (err) => {
        fail(span, spec, err);
        throw err;
      },
    ) as T;
  }
  finish(span, spec, result as Awaited<T>, onResult);
  return result;
}
