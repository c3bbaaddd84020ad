import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { capText, type Redact } from './normalise/caps.js';

// Enough for any route and id we answer; the rest of a longer path is not needed to read a log.
const MAX_LOGGED_PATH = 2048;
const MAX_LOGGED_MESSAGE = 4096;

/** The path of a request URL, without its query string (a client may put a key there: ?api_key=...). */
function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

/** A path as the redactor must see it: percent-encoding would hide a secret's shape (a `/` or `+` in it). */
function decodedPath(url: string): string {
  const path = pathOf(url);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
  code?: string;
  statusCode?: number;
}

/**
 * Serializers that keep request content out of the log: a request is its
 * method and path (no query string, no headers, no body), redacted; an error
 * is its type, code and redacted message and stack, and none of the other
 * properties a library may hang on it (a response body, the request sent).
 */
export function safeSerializers(redact: Redact | undefined) {
  const clean = (s: string, max: number) => capText(s, max, redact);
  return {
    req(req: FastifyRequest) {
      return { method: req.method, url: clean(decodedPath(req.url ?? ''), MAX_LOGGED_PATH), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
    },
    err(err: unknown): LoggedError {
      // Some callers log a message alone ({ err: e.message }); it is cleaned the same way.
      if (!(err instanceof Error)) return { type: typeof err, message: clean(String(err), MAX_LOGGED_MESSAGE), stack: '' };
      const e = err as Error & { code?: unknown; statusCode?: unknown };
      const out: LoggedError = { type: e.constructor?.name ?? 'Error', message: clean(e.message, MAX_LOGGED_MESSAGE), stack: clean(e.stack ?? '', MAX_LOGGED_MESSAGE) };
      if (typeof e.code === 'string') out.code = e.code;
      if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
      return out;
    },
  };
}

/**
 * The Fastify logger option with our serializers in force: true becomes
 * pino's defaults plus them; an options object keeps its own serializers
 * except for req and err, which are always ours.
 */
export function safeLoggerOptions(logger: FastifyServerOptions['logger'], redact: Redact | undefined): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const ours = safeSerializers(redact);
  if (logger === true) return { serializers: ours };
  return { ...logger, serializers: { ...logger.serializers, ...ours } };
}
