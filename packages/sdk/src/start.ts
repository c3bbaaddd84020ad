/** startTracing: the entry point that configures OpenTelemetry for an agent harness. */
import { context, propagation, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createPriceTable, createRedactor, type CustomPattern, FULCRUM, GENERAL, type ModelPrice, type PriceTable } from '@fulcrum/vocab';
import { exporterHeaders, parseKeyValueList, tracesUrl, type Env } from './otel-env.js';
import { RedactingSpanExporter } from './redacting-exporter.js';
import { RedactingSpanProcessor } from './redacting-processor.js';
import { SessionSpanProcessor } from './session-processor.js';
import { configureWrappers, resetWrappers, TRACER_NAME, TRACER_VERSION } from './state.js';

export interface StartTracingOptions {
  /** OTLP/HTTP base URL (`/v1/traces` is appended). Default: OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318. */
  endpoint?: string;
  /** Exporter headers, over OTEL_EXPORTER_OTLP_HEADERS. Default: none. */
  headers?: Record<string, string>;
  /** service.name. Default: OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else `fulcrum-agent`. */
  serviceName?: string;
  /** fulcrum.team. Default: none. */
  team?: string;
  /** fulcrum.repository. Default: none. */
  repository?: string;
  /** fulcrum.harness: claude-code, codex, gemini-cli or your harness. Default: none. */
  harness?: string;
  /** fulcrum.use_case. Default: none. */
  useCase?: string;
  /** fulcrum.project. Default: none. */
  project?: string;
  /** user.id; only recorded when given. Default: none. */
  userId?: string;
  /**
   * process.working_directory, against which ingest stores file paths relative
   * (so `./a.ts` and `<cwd>/a.ts` are one file). Default: process.working_directory
   * in OTEL_RESOURCE_ATTRIBUTES, else process.cwd().
   */
  workingDirectory?: string;
  /** More resource attributes, over OTEL_RESOURCE_ATTRIBUTES. Default: none. */
  resourceAttributes?: Attributes;
  /** Exporter replacing the OTLP/HTTP one (tests: InMemorySpanExporter). Default: OTLP/HTTP. */
  exporter?: SpanExporter;
  /** More exporting processors; each is wrapped in the redaction processor too. Default: none. */
  spanProcessors?: SpanProcessor[];
  /** Batch exports; false exports each span as it ends. Default: true. */
  batch?: boolean;
  /** Extra redaction patterns for attributes and tool arguments. Default: none. */
  redactPatterns?: Array<RegExp | CustomPattern>;
  /** Price overrides on top of DEFAULT_PRICES (`null` removes a model), or a whole table. Default: DEFAULT_PRICES. */
  prices?: Record<string, ModelPrice | null> | PriceTable;
  /** Maximum length of fulcrum.tool.args and fulcrum.command. Default: 1024. */
  maxArgsLength?: number;
  /** Environment to read OTEL_ variables from. Default: process.env. */
  env?: Env;
}

export interface TracingHandle {
  /** Exports everything ended so far. */
  forceFlush(): Promise<void>;
  /** Flushes, shuts the SDK down and unregisters it, so startTracing can run again. */
  shutdown(): Promise<void>;
}

let active = false;

function resourceAttributes(o: StartTracingOptions, env: Env): Attributes {
  const fromEnv = parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES);
  const attrs: Attributes = { ...fromEnv };
  attrs[GENERAL.SERVICE_NAME] = o.serviceName ?? (env.OTEL_SERVICE_NAME || undefined) ?? fromEnv[GENERAL.SERVICE_NAME] ?? 'fulcrum-agent';
  const put = (k: string, v: string | undefined): void => {
    if (v !== undefined) attrs[k] = v;
  };
  put(FULCRUM.TEAM, o.team);
  put(FULCRUM.REPOSITORY, o.repository);
  put(FULCRUM.HARNESS, o.harness);
  put(FULCRUM.USE_CASE, o.useCase);
  put(FULCRUM.PROJECT, o.project);
  put(GENERAL.USER_ID, o.userId);
  put(GENERAL.PROCESS_WORKING_DIRECTORY, o.workingDirectory ?? fromEnv[GENERAL.PROCESS_WORKING_DIRECTORY] ?? currentDirectory());
  return { ...attrs, ...o.resourceAttributes };
}

/** process.cwd(), or undefined when the directory is gone (cwd() throws then). */
function currentDirectory(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined;
  }
}

/** Starts the OpenTelemetry NodeSDK with Fulcrum's processors; no auto-instrumentation. */
export function startTracing(options: StartTracingOptions = {}): TracingHandle {
  if (active) throw new Error('startTracing: tracing is already started; call shutdown() first');
  const env = options.env ?? process.env;
  const redactor = createRedactor({ extraPatterns: options.redactPatterns });
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: tracesUrl(env, options.endpoint), headers: exporterHeaders(env, options.headers) });
  // Our exporter is redacted as each batch is exported, off the caller's path. Processors
  // we do not control may export from onEnd, so each redacts (and materialises) there.
  const safeExporter = new RedactingSpanExporter(exporter, { redactor, async: options.batch !== false });
  const exportProcessor = options.batch === false ? new SimpleSpanProcessor(safeExporter) : new BatchSpanProcessor(safeExporter);
  const spanProcessors: SpanProcessor[] = [
    new SessionSpanProcessor(),
    exportProcessor,
    ...(options.spanProcessors ?? []).map((p) => new RedactingSpanProcessor(p, { redactor })),
  ];
  const sdk = new NodeSDK({
    resource: defaultResource().merge(resourceFromAttributes(resourceAttributes(options, env))),
    autoDetectResources: false,
    instrumentations: [],
    spanProcessors,
  });
  sdk.start();
  active = true;
  const prices = options.prices;
  const isTable = prices !== undefined && Object.isFrozen(prices);
  configureWrappers({
    tracer: trace.getTracer(TRACER_NAME, TRACER_VERSION),
    redactor,
    priceTable: isTable ? (prices as PriceTable) : createPriceTable(prices as Record<string, ModelPrice | null> | undefined),
    maxArgsLength: options.maxArgsLength ?? 1024,
    // Every processor above prepares spans before they reach an exporter.
    deferToolAttributes: true,
  });
  let done: Promise<void> | undefined;
  return {
    forceFlush: () => Promise.all(spanProcessors.map((p) => p.forceFlush())).then(() => undefined),
    shutdown: () =>
      (done ??= sdk.shutdown().finally(() => {
        resetWrappers();
        trace.disable();
        context.disable();
        propagation.disable();
        active = false;
      })),
  };
}
