import { gzipSync } from 'node:zlib';

/** POSTs a body to an OTLP path and returns status, headers and raw body. */
export async function post(url: string, body: Buffer | string, contentType: string, gzip = false, headers: Record<string, string> = {}) {
  const payload = gzip ? gzipSync(body) : body;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(gzip ? { 'content-encoding': 'gzip' } : {}), ...headers },
    body: payload,
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** A minimal valid OTLP/JSON trace request with one span per entry. */
export function jsonTraces(spans: { traceId: string; spanId: string; name?: string; attributes?: Record<string, string | number | boolean> }[], resource: Record<string, string> = { 'service.name': 'test' }) {
  const kv = (o: Record<string, string | number | boolean>) =>
    Object.entries(o).map(([key, v]) => ({ key, value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } }));
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: kv(resource) },
      scopeSpans: [{
        scope: { name: 'test' },
        spans: spans.map((s, i) => ({
          traceId: s.traceId, spanId: s.spanId, name: s.name ?? `span-${i}`, kind: 1,
          startTimeUnixNano: String(1_763_800_000_000_000_000n + BigInt(i) * 1_000_000n),
          endTimeUnixNano: String(1_763_800_000_000_000_000n + BigInt(i) * 1_000_000n + 500_000n),
          attributes: kv(s.attributes ?? {}),
        })),
      }],
    }],
  });
}
