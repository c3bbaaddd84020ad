/**
 * The exporter side of redaction: prepares each span (deferred tool attributes,
 * then redaction) as the batch is exported, so that work leaves the caller's
 * path. startTracing puts it between its span processor and the real exporter.
 *
 * A BatchSpanProcessor exports synchronously from the onEnd of the span that
 * fills a batch, so with `async` the preparation (and the inner export) moves
 * to a setImmediate turn: no tool call pays for the other 511 spans. The batch
 * processor awaits the result callback either way, so flush and shutdown still
 * wait for it.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redact, type Redactor } from '@fulcrum/vocab';
import { prepareSpanForExport } from './redacting-processor.js';

export interface RedactingSpanExporterOptions {
  /** Redactor applied to each string value. Default: redact (built-in patterns). */
  redactor?: Redactor;
  /** Prepare and export in a later turn instead of inside export(). Default: false (a SimpleSpanProcessor's exporter sees spans at once). */
  async?: boolean;
}

export class RedactingSpanExporter implements SpanExporter {
  private readonly redactor: Redactor;
  private readonly async: boolean;

  constructor(
    private readonly inner: SpanExporter,
    options: RedactingSpanExporterOptions = {},
  ) {
    this.redactor = options.redactor ?? redact;
    this.async = options.async ?? false;
  }

  /** Prepares spans in place; a span that cannot be prepared is dropped, never exported unredacted. */
  prepare(spans: ReadableSpan[]): ReadableSpan[] {
    let kept: ReadableSpan[] | undefined;
    for (let i = 0; i < spans.length; i++) {
      try {
        prepareSpanForExport(spans[i], this.redactor);
        kept?.push(spans[i]);
      } catch (err) {
        diag.error('fulcrum: dropping a span that could not be redacted', err);
        kept ??= spans.slice(0, i);
      }
    }
    return kept ?? spans;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.async) setImmediate(() => this.exportNow(spans, resultCallback));
    else this.exportNow(spans, resultCallback);
  }

  private exportNow(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      const kept = this.prepare(spans);
      if (kept.length === 0 && spans.length > 0) return resultCallback({ code: ExportResultCode.SUCCESS });
      this.inner.export(kept, resultCallback);
    } catch (err) {
      // From a setImmediate turn a throw would crash the process; report it like a failed export.
      resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
