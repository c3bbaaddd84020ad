import type { FastifyInstance } from 'fastify';
import { decodeLogsJson } from '../otlp/json-logs.js';
import { decodeLogsProtobuf } from '../otlp/protobuf-logs.js';
import { normaliseLogs } from '../normalise/harness/logs.js';
import { acceptRows, decodeBody } from './signal.js';

/** POST /v1/logs, per the OTLP/HTTP specification: harness events become span rows. */
export async function logsRoute(app: FastifyInstance): Promise<void> {
  app.post('/v1/logs', async (req, reply) => {
    const decoded = decodeBody(req, decodeLogsProtobuf, decodeLogsJson);
    const ctx = app.normaliseContext(req);
    const batch = normaliseLogs(decoded, ctx, ctx.join);
    return acceptRows(app, req, reply, batch, 'rejectedLogRecords');
  });
}
