import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { answerError, ERRORS, IngestError, type ErrorName } from '../errors.js';
import { encodeStatus, type OtlpEncoding } from '../otlp/responses.js';

export interface OtlpHttpOptions {
  /** Largest request body accepted, in bytes, measured after decompression. @default 67108864 (64 MiB) */
  bodyLimit?: number;
}

export const PROTOBUF = 'application/x-protobuf';
export const JSON_TYPE = 'application/json';

/** The encoding a request asked for; answers use the same one. */
export function requestEncoding(req: FastifyRequest): OtlpEncoding {
  return (req.headers['content-type'] ?? '').startsWith(PROTOBUF) ? 'protobuf' : 'json';
}

export function sendStatus(reply: FastifyReply, req: FastifyRequest, name: ErrorName, message: string, retryAfterSeconds?: number): FastifyReply {
  const e = ERRORS[name];
  const encoding = requestEncoding(req);
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply
    .code(e.status)
    .type(encoding === 'protobuf' ? PROTOBUF : JSON_TYPE)
    .send(encodeStatus(e.grpc, message, encoding));
}

const FASTIFY_CODES: Record<string, ErrorName> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  Z_DATA_ERROR: 'MALFORMED_BODY',
  Z_BUF_ERROR: 'MALFORMED_BODY',
};

/**
 * OTLP/HTTP request handling shared by /v1/traces, /v1/logs and /v1/metrics:
 * protobuf and JSON bodies as raw buffers, gzip and deflate decoded as a stream
 * so the body limit applies after decompression (a gzip bomb is cut off at the
 * limit, never inflated in memory), and every error as a google.rpc.Status in
 * the request's own encoding.
 */
async function otlpHttp(app: FastifyInstance, options: OtlpHttpOptions): Promise<void> {
  const bodyLimit = options.bodyLimit ?? 64 * 1024 * 1024;
  if (!Number.isInteger(bodyLimit) || bodyLimit <= 0) throw new Error(`otlp-http: bodyLimit must be a positive integer, got ${bodyLimit}`);

  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser([PROTOBUF, JSON_TYPE], { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

  app.addHook('preParsing', async (req, _reply, payload) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    if (encoding === 'identity' || encoding === '') return payload;
    const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : undefined;
    // The header's value is not quoted back: an answer never echoes the request.
    if (!decoder) throw new IngestError('UNSUPPORTED_ENCODING');
    // Fastify checks Content-Length against the limit before reading; it is the compressed size, so drop it.
    delete req.headers['content-length'];
    const decoded = payload.pipe(decoder) as typeof decoder & { receivedEncodedLength?: number };
    payload.on('data', (chunk: Buffer) => {
      decoded.receivedEncodedLength = (decoded.receivedEncodedLength ?? 0) + chunk.length;
    });
    payload.on('error', (err) => decoded.destroy(err));
    return decoded;
  });

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (err instanceof IngestError) return sendStatus(reply, req, err.errorName, err.message, err.retryAfterSeconds);
    const name = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (name) return sendStatus(reply, req, name, name === 'MALFORMED_BODY' ? `${ERRORS[name].message}: ${err.message}` : ERRORS[name].message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendStatus(reply, req, 'BAD_REQUEST', err.message);
    // A store that cannot answer is an outage (503, retry); anything else is a bug, answered 500 with the id the log has.
    const answer = answerError(err, { retryAfterSeconds: app.retryAfterSeconds });
    req.log.error({ err, errorId: answer.errorId }, answer.errorId ? 'unexpected error' : 'store unavailable');
    return sendStatus(reply, req, answer.name, answer.message, answer.retryAfterSeconds);
  });
}

export const otlpHttpPlugin = fp(otlpHttp, { name: 'fulcrum-otlp-http', fastify: '5.x' });
