/**
 * Redacts every string attribute (span and event attributes) of an ended span
 * before handing it to the wrapped processor, which exports it. Tool attributes
 * deferred by traceToolCall are written first, so they are redacted too.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FULCRUM, redact, type Redactor } from '@fulcrum/vocab';
import { materialiseToolCall } from './deferred-tool.js';
import { redactedValues } from './pre-redacted.js';

export interface RedactingSpanProcessorOptions {
  /** Redactor applied to each string value. Default: redact (built-in patterns). */
  redactor?: Redactor;
}

type MutableAttributes = Record<string, unknown>;

/** A value the wrapper redacted itself, still as it left it: only ever under one of REDACTED_BY_WRAPPERS's keys. */
const isTrusted = (trusted: Readonly<Record<string, unknown>>, key: string, v: unknown): boolean =>
  (key === FULCRUM.TOOL_ARGS || key === FULCRUM.COMMAND) && trusted[key] === v;

function redactAttributes(attributes: MutableAttributes | undefined, redactor: Redactor, trusted?: Readonly<Record<string, unknown>>): void {
  if (!attributes) return;
  for (const key in attributes) {
    const v = attributes[key];
    if (trusted !== undefined && isTrusted(trusted, key, v)) continue;
    if (typeof v === 'string') {
      const r = redactor(v);
      if (r !== v) attributes[key] = r;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (typeof v[i] === 'string') v[i] = redactor(v[i]);
    }
  }
}

/**
 * Makes an ended span safe to export, in place: writes its deferred tool
 * attributes, then redacts every string in its attributes, event attributes and
 * status message. Idempotent; every export path runs it before any exporter.
 */
export function prepareSpanForExport(span: ReadableSpan, redactor: Redactor): void {
  const pre = materialiseToolCall(span) ?? redactedValues(span);
  redactAttributes(span.attributes as MutableAttributes, redactor, pre?.redactor === redactor ? pre.values : undefined);
  for (const event of span.events) redactAttributes(event.attributes as MutableAttributes | undefined, redactor);
  const status = span.status as { message?: string };
  if (status.message) status.message = redactor(status.message);
}

export class RedactingSpanProcessor implements SpanProcessor {
  private readonly redactor: Redactor;

  /** @param inner the processor that exports (e.g. a BatchSpanProcessor). */
  constructor(
    private readonly inner: SpanProcessor,
    options: RedactingSpanProcessorOptions = {},
  ) {
    this.redactor = options.redactor ?? redact;
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  /** sdk-trace-base 2.2 has no onEnding hook; the span has ended, so its attributes are rewritten in place. */
  onEnd(span: ReadableSpan): void {
    prepareSpanForExport(span, this.redactor);
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
