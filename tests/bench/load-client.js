// Load client, run as its own process so the server's CPU and memory are its own.
// Open loop: requests leave on a fixed schedule whether or not earlier ones finished
// (a closed loop would slow down with the server and hide overload).
// Usage: node load-client.js <url> <requestsPerSecond> <seconds> [spansPerRequest] [run] [maxInFlight] [latencies]
// Prints one JSON line: statuses, acknowledged spans, latency percentiles (and, with a 7th argument
// `latencies`, every latency, so a caller can pool several runs).
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { bodyFor, makeTemplate } from './load-body.js';

const [url, rateArg, secondsArg, spansArg = '100', runArg = '1', maxInFlightArg = '2048', latenciesArg = ''] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const run = Number(runArg);
const maxInFlight = Number(maxInFlightArg);
const tpl = makeTemplate(Number(spansArg));
const target = new URL('/v1/traces', url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const statuses = {};
const latencies = [];
let acked = 0;
let inFlight = 0;
let skipped = 0;
let seq = 0;

function send(n) {
  // Every other request gzip, as collectors and SDKs with compression on send them.
  const gzip = n % 2 === 1;
  const raw = bodyFor(tpl, run, n);
  const body = gzip ? gzipSync(raw) : raw;
  const t0 = performance.now();
  inFlight++;
  const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) } }, (res) => {
    res.resume();
    res.on('end', () => {
      inFlight--;
      latencies.push(performance.now() - t0);
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 200) acked += tpl.spans;
    });
  });
  req.on('error', (err) => {
    inFlight--;
    statuses[err.code ?? 'error'] = (statuses[err.code ?? 'error'] ?? 0) + 1;
  });
  req.end(body);
}

const start = performance.now();
const end = start + seconds * 1000;
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    const total = Math.round(seconds * rate);
    const due = now >= end ? total : Math.min(Math.floor(((now - start) / 1000) * rate), total);
    while (seq < due) {
      if (inFlight >= maxInFlight) skipped++;
      else send(seq);
      seq++;
    }
    if (now >= end) resolve();
    else setTimeout(tick, 5);
  };
  tick();
});
const drainBy = performance.now() + 60_000;
while (inFlight > 0 && performance.now() < drainBy) await new Promise((r) => setTimeout(r, 20));
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
process.stdout.write(JSON.stringify({ rate, seconds, offered: seq, skipped, statuses, ackedSpans: acked, p50: pct(50), p99: pct(99), max: latencies.at(-1) ?? NaN, ...(latenciesArg === 'latencies' ? { latencies } : {}) }) + '\n');
agent.destroy();
