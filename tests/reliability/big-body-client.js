// Sends <count> OTLP protobuf trace bodies of about <megabytes> MB each, all at once, from its
// own process (so the server's memory is measured alone). Even requests are sent as they are,
// with Content-Length; odd ones gzip-compressed (their size after decompression is unknown
// until read). Each body's spans carry the resource attribute session.id = <prefix>-<n>, so the
// rows of each request can be counted. The large part of the body is encoded once and shared.
// Usage: node big-body-client.js <url> <count> <megabytes> <prefix>
// Prints one JSON line: { bodyBytes, spansPerBody, results: [{ n, status, retryAfter, error }] }
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { varint } from '../bench/load-body.js';

const [url, countArg, mbArg, prefix] = process.argv.slice(2);
const count = Number(countArg);
const target = Number(mbArg) * 1e6;

const header = (field, length) => Buffer.concat([varint((field << 3) | 2), varint(length)]);
const ld = (field, payload) => Buffer.concat([header(field, payload.length), payload]);
const kv = (key, value) => ld(1, Buffer.concat([ld(1, Buffer.from(key)), ld(2, ld(1, Buffer.from(value)))]));
function fixed64(field, v) {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeBigUInt64LE(v, 1);
  return b;
}

// Large attributes of ordinary text (well under the 16 KB value cap, so nothing is cut).
const WORDS = 'the agent read the file then ran the tests and edited the module until the build passed again'.split(' ');
const text = (seed, length) => {
  let s = '';
  for (let i = seed; s.length < length; i++) s += WORDS[(i * 7) % WORDS.length] + ' ';
  return s.slice(0, length);
};
const t0 = BigInt(Date.now()) * 1_000_000n;
const spans = [];
let size = 0;
for (let i = 0; size < target; i++) {
  const id = Buffer.alloc(8);
  id.writeUInt32BE(i + 1, 4);
  const trace = Buffer.alloc(16, 7);
  const span = ld(2, Buffer.concat([
    ld(1, trace), ld(2, id), ld(5, Buffer.from(`tool-${i % 5}`)),
    fixed64(7, t0 + BigInt(i) * 1000n), fixed64(8, t0 + BigInt(i) * 1000n + 500n),
    ...[0, 1, 2, 3].map((k) => ld(9, kv(`payload.${k}`, text(i + k, 3500)))),
  ]));
  spans.push(span);
  size += span.length;
}
const scopeSpans = ld(2, Buffer.concat([ld(1, ld(1, Buffer.from('big'))), ...spans]));
const gzippedScopeSpans = gzipSync(scopeSpans);

/** ResourceSpans{resource{session.id}, scope_spans}: the unique head, then the shared bytes. */
function parts(n) {
  const resource = ld(1, kv('session.id', `${prefix}-${n}`));
  return [Buffer.concat([header(1, resource.length + scopeSpans.length), resource]), scopeSpans];
}

const agent = new http.Agent({ keepAlive: false, maxSockets: count });
const results = await Promise.all(Array.from({ length: count }, (_, n) => new Promise((resolve) => {
  const gzip = n % 2 === 1;
  const [head, shared] = parts(n);
  // Concatenated gzip members decode as one stream: only the small head is compressed per request.
  const chunks = gzip ? [gzipSync(head), gzippedScopeSpans] : [head, shared];
  const length = chunks.reduce((a, c) => a + c.length, 0);
  const req = http.request(new URL('/v1/traces', url), {
    method: 'POST', agent,
    headers: { 'content-type': 'application/x-protobuf', 'content-length': length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
  });
  let settled = false;
  const done = (r) => {
    if (!settled) {
      settled = true;
      resolve({ n, gzip, ...r });
    }
  };
  req.on('response', (res) => {
    res.resume();
    res.on('end', () => done({ status: res.statusCode, retryAfter: res.headers['retry-after'] ?? null }));
    res.on('error', () => done({ status: res.statusCode, retryAfter: res.headers['retry-after'] ?? null }));
  });
  // A write error after the answer arrived (the server closed a connection whose body it refused) is not a failure.
  req.on('error', (err) => setTimeout(() => done({ status: null, error: err.code ?? err.message }), 200));
  for (const c of chunks) req.write(c);
  req.end();
})));
process.stdout.write(JSON.stringify({ bodyBytes: head0Length() + scopeSpans.length, spansPerBody: spans.length, results }) + '\n');

function head0Length() {
  return parts(0)[0].length;
}
