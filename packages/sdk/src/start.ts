/**
 * startTracing: Fulcrum's own tracing pipeline for an agent harness. It builds
 * a private TracerProvider and context manager and never touches the host's
 * OpenTelemetry globals unless asked (`global: true`); a harness that owns its
 * provider uses fulcrumSpanProcessors instead.
 */
import { context, propagation, trace, type TracerProvider } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ExportReport } from './batch-processor.js';
import { AsyncLocalContextManager } from './context-manager.js';
import { installExitHooks } from './exit-hooks.js';
import { warn } from './log.js';
import type { Env } from './otel-env.js';
import { createExportPipeline, DEFAULT_SHUTDOWN_TIMEOUT_MILLIS, type ExportOptions } from './pipeline.js';
import { RedactingSpanProcessor } from './redacting-processor.js';
import { harnessAttributes, type HarnessDescription } from './resource.js';
import { SessionSpanProcessor } from './session-processor.js';
import { configureWrappers, resetWrappers, TRACER_NAME, TRACER_VERSION } from './state.js';
import { wrapperSettings, type WrapperOptions } from './wrapper-options.js';

export interface StartTracingOptions extends HarnessDescription, ExportOptions, WrapperOptions {
  /** More exporting processors; each is wrapped in the redaction processor too. Default: none. */
  spanProcessors?: SpanProcessor[];
  /**
   * Also register Fulcrum's provider, context manager and W3C propagator as the
   * OpenTelemetry globals (for a harness with no OpenTelemetry of its own that
   * wants its other instrumentation to nest under Fulcrum's spans). What another
   * SDK registered first is left alone. Default: false.
   */
  global?: boolean;
}

export interface TracingHandle {
  /** Exports everything ended so far; never rejects. */
  forceFlush(): Promise<ExportReport>;
  /**
   * Flushes and stops, within shutdownTimeoutMillis; never rejects. The host's
   * OpenTelemetry is left as it was found, and startTracing can run again.
   */
  shutdown(): Promise<ExportReport>;
  /** What happened to the spans so far (exported, dropped, failed, pending). */
  report(): ExportReport;
  /** Fulcrum's provider, for spans of your own that should go to Fulcrum too. */
  readonly tracerProvider: TracerProvider;
}

let active = false;

/** Registers what `global: true` asks for; returns an undo for what was actually registered. */
function registerGlobals(provider: TracerProvider, manager: AsyncLocalContextManager): { contextIsOurs: boolean; undo: () => void } {
  const tracerOk = trace.setGlobalTracerProvider(provider);
  const contextOk = context.setGlobalContextManager(manager.enable());
  const propagatorOk = propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  if (!tracerOk || !contextOk || !propagatorOk) {
    warn(`global: true, but another OpenTelemetry SDK registered its globals first; those are left as they are and Fulcrum uses its own.`);
  }
  return {
    contextIsOurs: contextOk,
    undo: () => {
      if (tracerOk) trace.disable();
      if (contextOk) context.disable();
      if (propagatorOk) propagation.disable();
    },
  };
}

/** Starts Fulcrum's tracing pipeline; the wrappers use it until shutdown(). */
export function startTracing(options: StartTracingOptions = {}): TracingHandle {
  if (active) throw new Error('startTracing: tracing is already started; call shutdown() first');
  const env: Env = options.env ?? process.env;
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const { redactor, processor } = createExportPipeline(options, env);
  const settings = wrapperSettings(options, redactor);
  const spanProcessors: SpanProcessor[] = disabled
    ? []
    : [new SessionSpanProcessor(), processor, ...(options.spanProcessors ?? []).map((p) => new RedactingSpanProcessor(p, { redactor }))];
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes(harnessAttributes(options, env))),
    spanProcessors,
    ...(disabled ? { sampler: new AlwaysOffSampler() } : {}),
  });
  const manager = new AsyncLocalContextManager();
  const globals = options.global === true ? registerGlobals(provider, manager) : undefined;
  active = true;
  configureWrappers({
    ...settings,
    tracer: provider.getTracer(TRACER_NAME, TRACER_VERSION),
    contextManager: globals?.contextIsOurs ? undefined : manager,
    // Every processor above prepares spans before they reach an exporter.
    deferToolAttributes: true,
  });
  const timeout = options.shutdownTimeoutMillis ?? DEFAULT_SHUTDOWN_TIMEOUT_MILLIS;
  const hooks = options.flushOnExit === false || disabled ? undefined : installExitHooks(() => processor.flush(timeout), () => processor.pending() > 0);
  let done: Promise<ExportReport> | undefined;
  const stop = async (): Promise<ExportReport> => {
    hooks?.remove();
    const report = await processor.close(timeout);
    // The other processors (the caller's) get what is left of the same budget; none may hang shutdown.
    await Promise.race([provider.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, timeout).unref())]);
    resetWrappers();
    globals?.undo();
    manager.disable();
    active = false;
    if (report.failed > 0 || report.dropped > 0 || report.pending > 0) {
      warn(`shutdown: ${report.exported} spans exported, ${report.failed} failed, ${report.dropped} dropped, ${report.pending} not sent${report.lastError ? ` (last error: ${report.lastError})` : ''}.`);
    }
    return report;
  };
  return {
    forceFlush: () => processor.flush(timeout),
    shutdown: () => (done ??= stop().catch(() => processor.report(false))),
    report: () => processor.report(),
    tracerProvider: provider,
  };
}
