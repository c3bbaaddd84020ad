import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { progressBar } from '../render/progress.js';
import type { DemoSession } from './scenario.js';
import { sessionSpans } from './spans.js';

/** Sends the sessions to an OTLP/HTTP endpoint with the real protobuf exporter, a few sessions per request. */
export async function sendSessions(baseUrl: string, sessions: DemoSession[], perRequest = 6): Promise<number> {
  const exporter = new OTLPTraceExporter({ url: `${baseUrl}/v1/traces` });
  const bar = progressBar('sending sessions', sessions.length);
  let spans = 0;
  try {
    for (let i = 0; i < sessions.length; i += perRequest) {
      const batch = sessions.slice(i, i + perRequest).flatMap(sessionSpans);
      await new Promise<void>((resolve, reject) =>
        exporter.export(batch as ReadableSpan[], (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))),
      );
      spans += batch.length;
      bar.update(Math.min(i + perRequest, sessions.length));
    }
  } finally {
    bar.done();
    await exporter.shutdown();
  }
  return spans;
}
