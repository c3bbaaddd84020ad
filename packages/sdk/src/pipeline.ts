/**
 * The export side shared by startTracing and fulcrumSpanProcessors: the
 * OTLP/HTTP exporter (or the caller's), redaction in front of it, and the
 * export queue that counts what happened.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createRedactor, type CustomPattern, type Redactor } from '@fulcrum/vocab';
import { FulcrumBatchSpanProcessor, type BatchOptions } from './batch-processor.js';
import { exporterHeaders, tracesUrl, type Env } from './otel-env.js';
import { RedactingSpanExporter } from './redacting-exporter.js';

export interface ExportOptions {
  /** OTLP/HTTP base URL (`/v1/traces` is appended). Default: OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318. */
  endpoint?: string;
  /** Exporter headers, over OTEL_EXPORTER_OTLP_HEADERS. Default: none. */
  headers?: Record<string, string>;
  /** Exporter replacing the OTLP/HTTP one (tests: InMemorySpanExporter). Default: OTLP/HTTP. */
  exporter?: SpanExporter;
  /** Queue and batch settings, or false to export each span as it ends (tests). Default: batched, see BatchOptions. */
  batch?: boolean | BatchOptions;
  /** Extra redaction patterns for attributes and tool arguments. Default: none. */
  redactPatterns?: Array<RegExp | CustomPattern>;
  /** Longest shutdown() (and the flush on exit signals) waits for the export, in ms. Default: 5000. */
  shutdownTimeoutMillis?: number;
  /** Environment to read OTEL_ variables from. Default: process.env. */
  env?: Env;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 5000;

export interface ExportPipeline {
  redactor: Redactor;
  processor: FulcrumBatchSpanProcessor;
}

/** Builds the exporter chain; `wrap` adapts the spans just before the real exporter (resource merging). */
export function createExportPipeline(
  options: ExportOptions,
  env: Env,
  accept?: ConstructorParameters<typeof FulcrumBatchSpanProcessor>[2],
  wrap: (exporter: SpanExporter) => SpanExporter = (e) => e,
): ExportPipeline {
  const redactor = createRedactor({ extraPatterns: options.redactPatterns });
  const batch = typeof options.batch === 'object' ? options.batch : {};
  const exporter =
    options.exporter ??
    new OTLPTraceExporter({
      url: tracesUrl(env, options.endpoint),
      headers: exporterHeaders(env, options.headers),
      timeoutMillis: batch.exportTimeoutMillis,
    });
  // The queue exports from a timer or setImmediate, never from a span's onEnd, so
  // preparing (redacting) spans in export() is already off the caller's path.
  const safe = new RedactingSpanExporter(wrap(exporter), { redactor });
  const processor = new FulcrumBatchSpanProcessor(safe, { ...batch, immediate: options.batch === false }, accept);
  return { redactor, processor };
}
