import { randomBytes } from 'node:crypto';

/**
 * Every error a Fulcrum server answers with, in one catalogue: the OTLP
 * receiver, the git and admin routes and the query API all answer from it.
 */
export const ERRORS = {
  UNSUPPORTED_MEDIA_TYPE: { status: 415, grpc: 3, message: 'unsupported content type: send application/x-protobuf or application/json' },
  UNSUPPORTED_ENCODING: { status: 415, grpc: 3, message: 'unsupported content encoding: send gzip or identity' },
  BODY_TOO_LARGE: { status: 413, grpc: 8, message: 'request body exceeds the limit after decompression' },
  MALFORMED_BODY: { status: 400, grpc: 3, message: 'malformed request body' },
  STORE_UNAVAILABLE: { status: 503, grpc: 14, message: 'store unavailable, retry later' },
  OVERLOADED: { status: 503, grpc: 14, message: 'server overloaded, retry later' },
  DISK_LOW: { status: 503, grpc: 14, message: 'disk space low, writes paused, retry later' },
  RATE_LIMITED: { status: 429, grpc: 8, message: 'rate limit exceeded, retry later' },
  UNAUTHENTICATED: { status: 401, grpc: 16, message: 'missing or invalid API key' },
  FORBIDDEN: { status: 403, grpc: 7, message: 'API key revoked' },
  WRONG_PROJECT: { status: 403, grpc: 7, message: 'wrong project' },
  ADMIN_ONLY: { status: 403, grpc: 7, message: 'admin requests are answered on the loopback interface only' },
  NOT_FOUND: { status: 404, grpc: 5, message: 'not found' },
  BAD_REQUEST: { status: 400, grpc: 3, message: 'bad request' },
  QUERY_TOO_EXPENSIVE: { status: 422, grpc: 8, message: 'query stopped at the server\'s limit; narrow the time range or scope' },
  INTERNAL: { status: 500, grpc: 13, message: 'internal error' },
} as const;

export type ErrorName = keyof typeof ERRORS;

/** An error that maps to one catalogue entry; the error handlers render it. */
export class FulcrumError extends Error {
  readonly statusCode: number;
  constructor(readonly errorName: ErrorName, detail?: string, readonly retryAfterSeconds?: number) {
    super(detail ? `${ERRORS[errorName].message}: ${detail}` : ERRORS[errorName].message);
    this.statusCode = ERRORS[errorName].status;
  }
}

/** Socket-level failures of a ClickHouse server that is down, restarting or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** ClickHouse exception types that say the store cannot answer now, not that the query is wrong. */
const UNAVAILABLE_TYPES = new Set([
  'TOO_MANY_SIMULTANEOUS_QUERIES', 'NETWORK_ERROR', 'SOCKET_TIMEOUT', 'ALL_CONNECTION_TRIES_FAILED', 'ALL_REPLICAS_ARE_STALE',
  'NO_REPLICA_HAS_PART', 'TABLE_IS_READ_ONLY', 'NOT_ENOUGH_SPACE', 'CANNOT_ALLOCATE_MEMORY', 'KEEPER_EXCEPTION', 'ABORTED', 'QUERY_WAS_CANCELLED',
]);

/**
 * True when an error means the store cannot answer right now (a retry later may
 * succeed): the connection failed or the server said so. Anything else that is
 * not a catalogued error is a bug, answered 500, never disguised as an outage.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, type } = err as { code?: unknown; type?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (typeof type === 'string' && UNAVAILABLE_TYPES.has(type)) return true;
  if (/socket hang up|ECONNREFUSED|ECONNRESET|Timeout error|store is closed|client is closed/i.test(err.message)) return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err && isStoreUnavailable(cause);
}

/** How an error is answered: the catalogue entry, the message, Retry-After, and for a bug the id also written to the log. */
export interface ErrorAnswer {
  name: ErrorName;
  status: number;
  message: string;
  retryAfterSeconds?: number;
  /** Set on a 500: the same id is logged with the error, so a report quoting it finds the stack. */
  errorId?: string;
}

export interface AnswerOptions {
  /** Retry-After of a store outage. @default 5 */
  retryAfterSeconds?: number;
}

/** A short random id for one unexpected error. */
export const newErrorId = (): string => randomBytes(6).toString('hex');

/**
 * The answer to an error no route catalogued: 503 with Retry-After when the store
 * is unavailable, else 500 with an error id. Catalogued errors keep their entry.
 */
export function answerError(err: unknown, options: AnswerOptions = {}): ErrorAnswer {
  if (err instanceof FulcrumError) return { name: err.errorName, status: err.statusCode, message: err.message, retryAfterSeconds: err.retryAfterSeconds };
  if (isStoreUnavailable(err)) return { name: 'STORE_UNAVAILABLE', status: 503, message: ERRORS.STORE_UNAVAILABLE.message, retryAfterSeconds: options.retryAfterSeconds ?? 5 };
  const errorId = newErrorId();
  return { name: 'INTERNAL', status: 500, message: `${ERRORS.INTERNAL.message} (error id ${errorId}; the server's log has the details)`, errorId };
}

/** The JSON body of an error answer: `{ error: { code, message, id? } }`, the same on every JSON route. */
export function errorBody(answer: ErrorAnswer): { error: { code: ErrorName; message: string; id?: string } } {
  return { error: { code: answer.name, message: answer.message, ...(answer.errorId ? { id: answer.errorId } : {}) } };
}
