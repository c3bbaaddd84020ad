import type { FastifyInstance } from 'fastify';
import { insertSessionMetricRows } from '@fulcrum/store';
import { IngestError } from '../errors.js';
import { decodeMetricsJson } from '../otlp/json-metrics.js';
import { decodeMetricsProtobuf } from '../otlp/protobuf-metrics.js';
import { encodeExportResponse } from '../otlp/responses.js';
import { normaliseMetrics } from '../normalise/harness/metrics.js';
import { JSON_TYPE, PROTOBUF, requestEncoding } from '../plugins/otlp-http.js';
import { sanitiseMetricRows } from '../normalise/sanitise.js';
import { keepPlausibleMetrics } from '../normalise/plausible.js';
import { decodeBody } from './signal.js';

/**
 * POST /v1/metrics, per the OTLP/HTTP specification: data points that name a
 * session become session_metrics rows (lines of code, commits, tokens, cost…).
 */
export async function metricsRoute(app: FastifyInstance): Promise<void> {
  app.post('/v1/metrics', async (req, reply) => {
    const decoded = decodeBody(req, decodeMetricsProtobuf, decodeMetricsJson);
    const refused = { rejected: 0, reasons: [] as string[] };
    const rows = keepPlausibleMetrics(normaliseMetrics(decoded, app.projectOf(req)).rows, app.plausibility, refused);
    sanitiseMetricRows(rows, app.sanitiseOptions);
    try {
      await insertSessionMetricRows(app.store.client, rows);
    } catch (err) {
      req.log.warn({ err, rows: rows.length }, 'store refused metric points');
      throw new IngestError('STORE_UNAVAILABLE', undefined, app.retryAfterSeconds);
    }
    const encoding = requestEncoding(req);
    return reply
      .code(200)
      .type(encoding === 'protobuf' ? PROTOBUF : JSON_TYPE)
      .send(encodeExportResponse(refused.rejected, refused.reasons.join('; '), 'rejectedDataPoints', encoding));
  });
}
