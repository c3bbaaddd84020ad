// Load generator run as a second process: POSTs protobuf bodies on loopback for a fixed time and counts acknowledged spans.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const { url, files, spansPerBody, seconds, concurrency } = JSON.parse(process.argv[2]);
const bodies = files.map((f) => readFileSync(f));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
let acked = 0;
let refused = 0;
let next = 0;
const latencies = [];
const deadline = Date.now() + seconds * 1000;

function send(body) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - t0);
        if (res.statusCode === 200) acked += spansPerBody;
        else refused++;
        resolve();
      });
    });
    req.on('error', () => {
      refused++;
      resolve();
    });
    req.end(body);
  });
}

async function worker() {
  while (Date.now() < deadline) await send(bodies[next++ % bodies.length]);
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.send({ acked, refused, elapsed, p50: p(0.5), p99: p(0.99) });
agent.destroy();
