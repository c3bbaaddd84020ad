import type { FastifyInstance } from 'fastify';
import { decodeTracesJson } from '../otlp/json-traces.js';
import { decodeTracesProtobuf } from '../otlp/protobuf-traces.js';
import { normaliseTraces } from '../normalise/traces.js';
import { acceptRows, decodeBody } from './signal.js';

/** POST /v1/traces, per the OTLP/HTTP specification. */
export async function tracesRoute(app: FastifyInstance): Promise<void> {
  app.post('/v1/traces', async (req, reply) => {
    const decoded = decodeBody(req, decodeTracesProtobuf, decodeTracesJson);
    const ctx = app.normaliseContext(req);
    const batch = normaliseTraces(decoded, ctx);
    return acceptRows(app, req, reply, batch, 'rejectedSpans');
  });
}
