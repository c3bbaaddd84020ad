/**
 * The SDK's own warning line. It never goes through (or replaces) the host's
 * global diag logger: a harness that set none would see nothing, and one that
 * set its own would lose it. startTracing's `logger` option replaces it.
 */
import type { DiagLogger } from '@opentelemetry/api';

export type FulcrumLogger = Pick<DiagLogger, 'warn'>;

const PREFIX = '@fulcrum/sdk:';

/** The default: one line on stderr per warning. */
export const consoleLogger: FulcrumLogger = {
  warn: (message: string, ...args: unknown[]) => {
    console.warn(`${PREFIX} ${message}`, ...args);
  },
};

let logger: FulcrumLogger | undefined = consoleLogger;
const warnedKeys = new Set<string>();

/** Sets the logger (undefined: silent); returns the previous one. */
export function setLogger(next: FulcrumLogger | undefined): FulcrumLogger | undefined {
  const previous = logger;
  logger = next;
  return previous;
}

/** One warning line; a logger that throws is ignored. */
export function warn(message: string): void {
  try {
    logger?.warn(message);
  } catch {
    // Logging must not break the host either.
  }
}

/** A warning at most once per key for the life of the process. */
export function warnOnce(key: string, message: string): void {
  if (warnedKeys.has(key)) return;
  warnedKeys.add(key);
  warn(message);
}

/** Forgets which warnings were given (tests). */
export function resetWarnings(): void {
  warnedKeys.clear();
}
