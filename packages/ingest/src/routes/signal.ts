import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IngestError } from '../errors.js';
import type { NormalisedBatch } from '../normalise/traces.js';
import { finishRows } from '../normalise/finish-rows.js';
import { encodeExportResponse, type RejectedField } from '../otlp/responses.js';
import { PROTOBUF, JSON_TYPE, requestEncoding } from '../plugins/otlp-http.js';

/** Decodes a protobuf or JSON body; anything undecodable is a 400 and nothing is stored. */
export function decodeBody<T>(req: FastifyRequest, fromProtobuf: (b: Uint8Array) => T, fromJson: (v: unknown) => T): T {
  const body = req.body as Buffer;
  try {
    if (requestEncoding(req) === 'protobuf') return fromProtobuf(body);
    return fromJson(body.length === 0 ? {} : JSON.parse(body.toString('utf8')));
  } catch (err) {
    throw new IngestError('MALFORMED_BODY', (err as Error).message);
  }
}

/** Writes the rows and answers: 200 once stored (with partial_success), 503 + Retry-After when the store cannot take them. */
export async function acceptRows(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, batch: NormalisedBatch, field: RejectedField): Promise<FastifyReply> {
  finishRows(batch.rows, app.sanitiseOptions);
  const result = await app.spanWriter.write(batch.rows);
  if (result.status === 'retryable') {
    req.log.warn({ err: result.error, rows: batch.rows.length }, 'store refused a batch');
    throw new IngestError('STORE_UNAVAILABLE', undefined, app.retryAfterSeconds);
  }
  const encoding = requestEncoding(req);
  return reply
    .code(200)
    .type(encoding === 'protobuf' ? PROTOBUF : JSON_TYPE)
    .send(encodeExportResponse(batch.rejected, batch.reasons.join('; '), field, encoding));
}
