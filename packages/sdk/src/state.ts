/** Settings the wrappers read; startTracing sets them, tests may too. */
import { context, trace, type Context, type ContextManager, type Tracer } from '@opentelemetry/api';
import { DEFAULT_PRICES, type PriceTable, redact, type Redactor, type ToolVocabulary } from '@fulcrum/vocab';

export const TRACER_NAME = '@fulcrum/sdk';
export const TRACER_VERSION = '0.1.0';

export interface WrapperSettings {
  /** Tracer the wrappers use. Default: the global tracer provider's `@fulcrum/sdk` tracer. */
  tracer?: Tracer;
  /** Prices for fulcrum.cost.usd. Default: DEFAULT_PRICES. */
  priceTable: PriceTable;
  /** Redacts tool arguments and commands before they become attributes. Default: redact. */
  redactor: Redactor;
  /** Maximum length of fulcrum.tool.args. Default: 1024. */
  maxArgsLength: number;
  /**
   * traceToolCall leaves its argument work (canonical JSON, redaction, hash,
   * describeToolCall) to the export pipeline, which must then run
   * prepareSpanForExport on every span (startTracing's does). Default: false.
   */
  deferToolAttributes?: boolean;
  /**
   * Where the wrappers keep the active span: startTracing's own context manager,
   * so a host's OpenTelemetry and Fulcrum's never see each other's context.
   * Default: the global context API (the host's manager, when it registered one).
   */
  contextManager?: ContextManager;
  /**
   * The tool names whose arguments the wrappers read (paths, commands, line
   * counts): the built-in ones plus a harness's own, from createToolVocabulary.
   * Default: DEFAULT_TOOL_VOCABULARY (the built-in tools).
   */
  tools?: ToolVocabulary;
}

const defaults = (): WrapperSettings => ({ priceTable: DEFAULT_PRICES, redactor: redact, maxArgsLength: 1024 });

let settings: WrapperSettings = defaults();

export function getSettings(): WrapperSettings {
  return settings;
}

/** Changes wrapper settings; returns the previous ones. */
export function configureWrappers(patch: Partial<WrapperSettings>): WrapperSettings {
  const previous = settings;
  settings = { ...settings, ...patch };
  // Another tracer may feed a pipeline that never materialises deferred attributes.
  if (patch.tracer !== undefined && patch.deferToolAttributes === undefined) settings.deferToolAttributes = false;
  return previous;
}

/** Back to the defaults (used by shutdown). */
export function resetWrappers(): void {
  settings = defaults();
}

export function getTracer(): Tracer {
  return settings.tracer ?? trace.getTracer(TRACER_NAME, TRACER_VERSION);
}

/** The context the wrappers nest new spans under. */
export function activeContext(): Context {
  const manager = settings.contextManager;
  return manager ? manager.active() : context.active();
}

/** Runs fn with ctx active for the wrappers (and for the host too, when Fulcrum uses the global context). */
export function withContext<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
  const manager = settings.contextManager;
  return manager ? manager.with(ctx, fn, thisArg, ...args) : context.with(ctx, fn, thisArg, ...args);
}
