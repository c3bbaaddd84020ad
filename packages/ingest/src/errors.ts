/** Every error the ingest service answers with, in one catalogue. */
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
} as const;

export type ErrorName = keyof typeof ERRORS;

/** An error that maps to one catalogue entry; the error handler renders it. */
export class IngestError extends Error {
  readonly statusCode: number;
  constructor(readonly errorName: ErrorName, detail?: string, readonly retryAfterSeconds?: number) {
    super(detail ? `${ERRORS[errorName].message}: ${detail}` : ERRORS[errorName].message);
    this.statusCode = ERRORS[errorName].status;
  }
}
