/**
 * fulcrumSpanProcessors: Fulcrum inside a harness that owns its OpenTelemetry.
 * The host adds the returned processors to its own TracerProvider; Fulcrum's
 * wrappers then start their spans on the host's provider, in the host's context,
 * and Fulcrum exports (redacted) the spans that belong to agent sessions, while
 * the host's exporters keep receiving everything as before, tool attributes
 * included.
 */
import { trace, type TracerProvider } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GEN_AI, GENERAL } from '@fulcrum/vocab';
import type { ExportReport } from './batch-processor.js';
import { installExitHooks } from './exit-hooks.js';
import type { Env } from './otel-env.js';
import { createExportPipeline, DEFAULT_SHUTDOWN_TIMEOUT_MILLIS, type ExportOptions } from './pipeline.js';
import { harnessAttributes, type HarnessDescription } from './resource.js';
import { SessionSpanProcessor } from './session-processor.js';
import { configureWrappers, resetWrappers, TRACER_NAME, TRACER_VERSION } from './state.js';
import { wrapperSettings, type WrapperOptions } from './wrapper-options.js';

export interface FulcrumSpanProcessorsOptions extends HarnessDescription, ExportOptions, WrapperOptions {
  /** The host's provider, for the wrappers' spans. Default: the global tracer provider (as registered by the host). */
  tracerProvider?: TracerProvider;
  /** Which ended spans Fulcrum exports. Default: the wrappers' spans and any span inside a Fulcrum session. */
  filter?: (span: ReadableSpan) => boolean;
}

export interface FulcrumProcessors {
  /** Add these to the host's TracerProvider (`spanProcessors` option, in this order). */
  spanProcessors: SpanProcessor[];
  /** Exports Fulcrum's queue; never rejects. */
  forceFlush(): Promise<ExportReport>;
  /** Flushes Fulcrum's queue and detaches the wrappers; the host's provider keeps running. Never rejects. */
  shutdown(): Promise<ExportReport>;
  /** What happened to Fulcrum's spans so far. */
  report(): ExportReport;
}

/** Spans of Fulcrum's wrappers, or started inside a session (the session processor stamped them). */
export function belongsToSession(span: ReadableSpan): boolean {
  return span.instrumentationScope.name === TRACER_NAME || span.attributes[GEN_AI.CONVERSATION_ID] !== undefined;
}

/**
 * Gives exported spans the harness's resource attributes (team, repository,
 * harness) under the host's own: the host's resource stays the host's.
 */
class HarnessResourceExporter implements SpanExporter {
  private readonly merged = new WeakMap<Resource, Resource>();

  constructor(
    private readonly inner: SpanExporter,
    private readonly harness: Resource,
  ) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    const out = spans.map((span) => {
      let resource = this.merged.get(span.resource);
      if (!resource) {
        resource = this.harness.merge(span.resource);
        this.merged.set(span.resource, resource);
      }
      return Object.create(span, { resource: { value: resource } }) as ReadableSpan;
    });
    this.inner.export(out, done);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Fulcrum's processors for a provider the host owns; the wrappers start using the host's provider at once. */
export function fulcrumSpanProcessors(options: FulcrumSpanProcessorsOptions = {}): FulcrumProcessors {
  const env: Env = options.env ?? process.env;
  const attributes = harnessAttributes(options, env);
  // The host names its own service; Fulcrum only adds what describes the harness.
  delete attributes[GENERAL.SERVICE_NAME];
  const harness = resourceFromAttributes(attributes);
  const { redactor, processor } = createExportPipeline(options, env, options.filter ?? belongsToSession, (e) => new HarnessResourceExporter(e, harness));
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  configureWrappers({
    ...wrapperSettings(options, redactor),
    tracer: provider.getTracer(TRACER_NAME, TRACER_VERSION),
    // The host's context: Fulcrum's spans nest under the host's and the reverse.
    contextManager: undefined,
    // The host's exporters see the spans as they end: tool attributes must be there already.
    deferToolAttributes: false,
  });
  const timeout = options.shutdownTimeoutMillis ?? DEFAULT_SHUTDOWN_TIMEOUT_MILLIS;
  const hooks = options.flushOnExit === false ? undefined : installExitHooks(() => processor.flush(timeout), () => processor.pending() > 0);
  let done: Promise<ExportReport> | undefined;
  return {
    spanProcessors: [new SessionSpanProcessor(), processor],
    forceFlush: () => processor.flush(timeout),
    shutdown: () =>
      (done ??= processor
        .close(timeout)
        .catch(() => processor.report())
        .finally(() => {
          hooks?.remove();
          resetWrappers();
        })),
    report: () => processor.report(),
  };
}
