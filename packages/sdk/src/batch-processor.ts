/**
 * Fulcrum's export queue. Unlike sdk-trace-base's BatchSpanProcessor it never
 * exports from a span's onEnd (the caller's path only pushes), it sends
 * several batches at once so an agent's burst drains, it bounds every export
 * by a timeout, and it counts what it exported, dropped and failed, so flush
 * and shutdown can say so instead of rejecting into the host.
 */
import { TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { warn } from './log.js';

export interface BatchOptions {
  /** Spans held while waiting for export; spans beyond it are dropped and counted. Default: 65536. */
  maxQueueSize?: number;
  /** Spans per export request. Default: 512. */
  maxExportBatchSize?: number;
  /** Longest a partial batch waits before it is sent, in ms. Default: 1000. */
  scheduledDelayMillis?: number;
  /** Export requests in flight at once. Default: 2. */
  maxConcurrentExports?: number;
  /** An export request that takes longer counts as failed, in ms. Default: 10000. */
  exportTimeoutMillis?: number;
  /** Export each span as it ends, unbatched (tests with an in-memory exporter). Default: false. */
  immediate?: boolean;
}

/** What happened to the spans since tracing started; flush and shutdown resolve with it. */
export interface ExportReport {
  /** Spans the exporter accepted. */
  exported: number;
  /** Spans dropped because the queue was full, or because they ended after shutdown. */
  dropped: number;
  /** Spans whose export failed (refused, timed out, rejected by the server). */
  failed: number;
  /** Spans still queued or in flight when the flush or shutdown gave up waiting. */
  pending: number;
  /** The flush or shutdown stopped at its timeout. */
  timedOut: boolean;
  /** The most recent export error, if any export failed. */
  lastError?: string;
}

export const DEFAULT_BATCH: Required<BatchOptions> = {
  maxQueueSize: 65_536,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 1000,
  maxConcurrentExports: 2,
  exportTimeoutMillis: 10_000,
  immediate: false,
};

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) throw new TypeError(`${name} must be a number ≥ 1, got ${String(value)}`);
  return Math.floor(value);
}

/** Resolves after ms (unref'd: a pending timeout never keeps the host alive). */
function sleep(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

export class FulcrumBatchSpanProcessor implements SpanProcessor {
  private readonly options: Required<BatchOptions>;
  private queue: ReadableSpan[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightSpans = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate = false;
  private flushing = 0;
  private closed = false;
  private closing: Promise<ExportReport> | undefined;
  private failing = false;
  private droppedSinceWarning = 0;
  private readonly counts = { exported: 0, dropped: 0, failed: 0 };
  private lastError: string | undefined;

  constructor(
    private readonly exporter: SpanExporter,
    options: BatchOptions = {},
    /** Which ended spans to export. Default: all sampled spans. */
    private readonly accept: (span: ReadableSpan) => boolean = () => true,
  ) {
    this.options = {
      maxQueueSize: positive('maxQueueSize', options.maxQueueSize, DEFAULT_BATCH.maxQueueSize),
      maxExportBatchSize: positive('maxExportBatchSize', options.maxExportBatchSize, DEFAULT_BATCH.maxExportBatchSize),
      scheduledDelayMillis: positive('scheduledDelayMillis', options.scheduledDelayMillis, DEFAULT_BATCH.scheduledDelayMillis),
      maxConcurrentExports: positive('maxConcurrentExports', options.maxConcurrentExports, DEFAULT_BATCH.maxConcurrentExports),
      exportTimeoutMillis: positive('exportTimeoutMillis', options.exportTimeoutMillis, DEFAULT_BATCH.exportTimeoutMillis),
      immediate: options.immediate ?? false,
    };
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (!this.accept(span)) return;
    if (this.closed || this.queue.length >= this.options.maxQueueSize) return this.drop();
    if (this.options.immediate) return this.send([span]);
    this.queue.push(span);
    if (this.queue.length >= this.options.maxExportBatchSize) this.pumpSoon();
    else this.timer ??= setTimeout(() => this.onTimer(), this.options.scheduledDelayMillis).unref();
  }

  /** Spans queued or in flight. */
  pending(): number {
    return this.queue.length + this.inFlightSpans;
  }

  /** The counts so far. */
  report(timedOut = false): ExportReport {
    const r: ExportReport = { ...this.counts, pending: this.queue.length + this.inFlightSpans, timedOut };
    if (this.lastError !== undefined) r.lastError = this.lastError;
    return r;
  }

  /** Exports everything queued, waiting at most timeoutMillis; never rejects. */
  async flush(timeoutMillis: number): Promise<ExportReport> {
    this.flushing++;
    try {
      const outcome = await Promise.race([this.drain(), sleep(timeoutMillis)]);
      return this.report(outcome === 'timeout');
    } catch {
      return this.report(false);
    } finally {
      this.flushing--;
    }
  }

  /** Flushes, then shuts the exporter down; both within timeoutMillis. Later spans are dropped. Once only. */
  close(timeoutMillis: number): Promise<ExportReport> {
    return (this.closing ??= this.closeNow(timeoutMillis));
  }

  private async closeNow(timeoutMillis: number): Promise<ExportReport> {
    const started = Date.now();
    const report = await this.flush(timeoutMillis);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const left = Math.max(1, timeoutMillis - (Date.now() - started));
    const down = await Promise.race([this.exporter.shutdown().then(() => 'done' as const, () => 'done' as const), sleep(left)]);
    return down === 'timeout' ? { ...this.report(true), timedOut: true } : { ...report, ...this.counts };
  }

  forceFlush(): Promise<void> {
    return this.flush(this.options.exportTimeoutMillis).then(() => undefined);
  }

  shutdown(): Promise<void> {
    return this.close(this.options.exportTimeoutMillis).then(() => undefined);
  }

  private drop(): void {
    this.counts.dropped++;
    this.droppedSinceWarning++;
    if (this.droppedSinceWarning === 1) {
      const why = this.closed ? 'it ended after shutdown' : `the export queue is full (${this.options.maxQueueSize} spans; raise maxQueueSize)`;
      warn(`dropping spans: ${why}. The count is in flush() and shutdown() results.`);
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      this.pump(true);
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
  }

  private onTimer(): void {
    this.timer = undefined;
    this.pump(true);
  }

  private pumpSoon(): void {
    if (this.immediate) return;
    this.immediate = true;
    setImmediate(() => {
      this.immediate = false;
      this.pump(false);
    });
  }

  /** Starts exports while there is room; a partial batch only when `partial` (timer, flush). */
  private pump(partial: boolean): void {
    const { maxConcurrentExports, maxExportBatchSize } = this.options;
    while (this.inFlight.size < maxConcurrentExports && this.queue.length > 0) {
      if (!partial && this.queue.length < maxExportBatchSize) break;
      const batch = this.queue.length <= maxExportBatchSize ? this.queue : this.queue.slice(0, maxExportBatchSize);
      this.queue = batch === this.queue ? [] : this.queue.slice(maxExportBatchSize);
      this.send(batch);
    }
    if (this.queue.length > 0 && this.timer === undefined && !this.closed) {
      this.timer = setTimeout(() => this.onTimer(), this.options.scheduledDelayMillis).unref();
    }
  }

  private send(batch: ReadableSpan[]): void {
    this.inFlightSpans += batch.length;
    const done = new Promise<void>((resolve) => {
      let settled = false;
      const finish = (result: ExportResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        this.record(result, batch.length);
        resolve();
      };
      const timeout = setTimeout(
        () => finish({ code: ExportResultCode.FAILED, error: new Error(`export timed out after ${this.options.exportTimeoutMillis} ms`) }),
        this.options.exportTimeoutMillis,
      ).unref();
      try {
        this.exporter.export(batch, finish);
      } catch (err) {
        finish({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      }
    });
    this.inFlight.add(done);
    void done.then(() => {
      this.inFlight.delete(done);
      this.inFlightSpans -= batch.length;
      if (this.flushing === 0) this.pump(false);
    });
  }

  private record(result: ExportResult, spans: number): void {
    if (result.code === ExportResultCode.SUCCESS) {
      this.counts.exported += spans;
      this.failing = false;
      return;
    }
    this.counts.failed += spans;
    this.lastError = result.error?.message || 'export failed';
    if (!this.failing) {
      this.failing = true;
      warn(`could not export ${spans} spans: ${this.lastError}. Further failures are counted in flush() and shutdown() results.`);
    }
  }
}
