// The naive baseline: protobufjs decode to plain objects, build row objects, one JSONEachRow INSERT per request.
import http from 'node:http';
import { createRequire } from 'node:module';
import { emptySpanRow } from '@fulcrum/store';

const require = createRequire(import.meta.url);
const root = require(require.resolve('@opentelemetry/otlp-transformer').replace(/index\.js$/, 'generated/root.js'));
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const attrs = (kvs) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, String(Object.values(kv.value ?? {})[0] ?? '')]));

export function startNaiveReceiver(client, table) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const msg = Request.toObject(Request.decode(Buffer.concat(chunks)), { longs: String, bytes: String, defaults: true });
        const rows = [];
        for (const rs of msg.resourceSpans) {
          const resource = attrs(rs.resource?.attributes);
          for (const ss of rs.scopeSpans) {
            for (const s of ss.spans) {
              const a = attrs(s.attributes);
              const { Events, Links, ...empty } = emptySpanRow();
              rows.push({
                ...empty,
                Timestamp: String(s.startTimeUnixNano).replace(/(\d{9})$/, '.$1'),
                TraceId: Buffer.from(s.traceId, 'base64').toString('hex'), SpanId: Buffer.from(s.spanId, 'base64').toString('hex'),
                ParentSpanId: Buffer.from(s.parentSpanId, 'base64').toString('hex'), SpanName: s.name, ServiceName: resource['service.name'] ?? '',
                ResourceAttributes: resource, SpanAttributes: a, Duration: Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)),
                Project: 'naive', SessionId: a['gen_ai.conversation.id'] ?? '', ToolName: a['gen_ai.tool.name'] ?? '', Model: a['gen_ai.request.model'] ?? '',
                InputTokens: Number(a['gen_ai.usage.input_tokens'] ?? 0), OutputTokens: Number(a['gen_ai.usage.output_tokens'] ?? 0),
                CacheReadTokens: Number(a['gen_ai.usage.cache_read.input_tokens'] ?? 0), ToolCallId: a['gen_ai.tool.call.id'] ?? '',
                FilePath: a['fulcrum.file.path'] ?? '', ArgsHash: a['fulcrum.tool.args_hash'] ?? '', ResultSize: Number(a['fulcrum.tool.result_size'] ?? 0),
                Team: resource['fulcrum.team'] ?? '', Repository: resource['fulcrum.repository'] ?? '', Harness: resource['service.name'] ?? '',
              });
            }
          }
        }
        await client.insert({ table, values: rows, format: 'JSONEachRow' });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (err) {
        res.writeHead(503).end(String(err));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
