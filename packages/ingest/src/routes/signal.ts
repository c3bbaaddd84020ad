import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IngestError } from '../errors.js';
import type { NormalisedBatch } from '../normalise/traces.js';
import { finishRows } from '../normalise/finish-rows.js';
import { keepPlausibleRows } from '../normalise/plausible.js';
import { encodeExportResponse, type RejectedField } from '../otlp/responses.js';
import { PROTOBUF, JSON_TYPE, requestEncoding } from '../plugins/otlp-http.js';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * OTLP/JSON is JSON, and JSON exchanged between systems is UTF-8 (RFC 8259 §8.1):
 * a body declared in another charset is refused (415) rather than read as
 * UTF-8 into garbage. No charset, or utf-8, is read as UTF-8.
 */
function checkCharset(req: FastifyRequest): void {
  const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new IngestError('UNSUPPORTED_MEDIA_TYPE', 'OTLP/JSON bodies are read as UTF-8; send charset=utf-8 or none');
  }
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  const text = (UTF8_BOM.every((b, i) => body[i] === b) ? body.subarray(3) : body).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the body; the answer and the log must not.
    throw new IngestError('MALFORMED_BODY', 'request body is not valid JSON');
  }
}

/** Decodes a protobuf or JSON body; anything undecodable is a 400 and nothing is stored. */
export function decodeBody<T>(req: FastifyRequest, fromProtobuf: (b: Uint8Array) => T, fromJson: (v: unknown) => T): T {
  const body = req.body as Buffer;
  if (requestEncoding(req) === 'protobuf') {
    try {
      return fromProtobuf(body);
    } catch (err) {
      throw new IngestError('MALFORMED_BODY', (err as Error).message);
    }
  }
  checkCharset(req);
  const parsed = parseJson(body);
  try {
    return fromJson(parsed);
  } catch (err) {
    throw new IngestError('MALFORMED_BODY', (err as Error).message);
  }
}

/**
 * Writes the rows and answers: 200 once stored (with partial_success naming
 * the rows refused as implausible or malformed), 503 + Retry-After when the
 * store cannot take them.
 */
export async function acceptRows(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, batch: NormalisedBatch, field: RejectedField): Promise<FastifyReply> {
  const rows = keepPlausibleRows(batch.rows, app.plausibility, batch);
  finishRows(rows, app.sanitiseOptions);
  const result = await app.spanWriter.write(rows);
  if (result.status === 'retryable') {
    req.log.warn({ err: result.error, rows: rows.length }, 'store refused a batch');
    throw new IngestError('STORE_UNAVAILABLE', undefined, app.retryAfterSeconds);
  }
  const encoding = requestEncoding(req);
  return reply
    .code(200)
    .type(encoding === 'protobuf' ? PROTOBUF : JSON_TYPE)
    .send(encodeExportResponse(batch.rejected, batch.reasons.join('; '), field, encoding));
}
