/** The options startTracing and fulcrumSpanProcessors share for the wrappers, and the settings they make. */
import { createPriceTable, createToolVocabulary, type ModelPrice, type PriceTable, type Redactor, type ToolMappings } from '@fulcrum/vocab';
import { consoleLogger, setLogger, warn, type FulcrumLogger } from './log.js';
import type { WrapperSettings } from './state.js';

export interface WrapperOptions {
  /** Price overrides on top of DEFAULT_PRICES (`null` removes a model), or a whole table. Default: DEFAULT_PRICES. */
  prices?: Record<string, ModelPrice | null> | PriceTable;
  /** Maximum length of fulcrum.tool.args and fulcrum.command. Default: 1024. */
  maxArgsLength?: number;
  /** The harness's own tool names → kind and argument keys (README "Tool vocabulary"). Default: the built-in tools only. */
  tools?: ToolMappings;
  /** Flush finished spans on beforeExit, SIGINT and SIGTERM (bounded by shutdownTimeoutMillis). Default: true. */
  flushOnExit?: boolean;
  /** Where the SDK's warnings go (export failures, dropped spans, hints), or false for nowhere. Default: one line on stderr each. */
  logger?: FulcrumLogger | false;
}

/** Installs the logger, then reads prices, argument length and tool vocabulary (warning about unusable tool entries). */
export function wrapperSettings(options: WrapperOptions, redactor: Redactor): Pick<WrapperSettings, 'redactor' | 'priceTable' | 'maxArgsLength' | 'tools'> {
  setLogger(options.logger === false ? undefined : (options.logger ?? consoleLogger));
  const tools = createToolVocabulary(options.tools);
  for (const problem of tools.rejected) warn(`tools: ${problem}; that entry is left out.`);
  const prices = options.prices;
  const priceTable = prices !== undefined && Object.isFrozen(prices) ? (prices as PriceTable) : createPriceTable(prices as Record<string, ModelPrice | null> | undefined);
  return { redactor, priceTable, maxArgsLength: options.maxArgsLength ?? 1024, tools };
}
