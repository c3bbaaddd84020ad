// Floods the query API from its own process: <concurrency> loops, each asking <path> again as
// soon as it is answered, for <seconds>. Refused requests are retried after <pauseMs> whatever
// Retry-After says (a hostile client; a pause of 0 would measure how fast this machine spins,
// which on a shared 2-core box is the server's own CPU).
// Usage: node api-flood-client.js <url> <path> <concurrency> <seconds> [pauseMs]
// Prints one JSON line: statuses, how many 429/503 carried Retry-After, latency percentiles of 200s.
import http from 'node:http';

const [url, path, concurrencyArg, secondsArg, pauseArg = '10'] = process.argv.slice(2);
const pauseMs = Number(pauseArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrencyArg) });
const end = performance.now() + Number(secondsArg) * 1000;
const statuses = {};
let withRetryAfter = 0;
const okLatencies = [];

const get = () => new Promise((resolve) => {
  const t0 = performance.now();
  const req = http.get(new URL(path, url), { agent }, (res) => {
    res.resume();
    res.on('end', () => {
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if ((res.statusCode === 429 || res.statusCode === 503) && Number(res.headers['retry-after']) > 0) withRetryAfter++;
      if (res.statusCode === 200) okLatencies.push(performance.now() - t0);
      if (res.statusCode === 200) resolve();
      else setTimeout(resolve, pauseMs);
    });
  });
  req.on('error', (err) => {
    statuses[err.code ?? 'error'] = (statuses[err.code ?? 'error'] ?? 0) + 1;
    resolve();
  });
});

await Promise.all(Array.from({ length: Number(concurrencyArg) }, async () => {
  // A flood: no back-off, whatever the answer says.
  while (performance.now() < end) await get();
}));
okLatencies.sort((a, b) => a - b);
const pct = (p) => (okLatencies.length ? okLatencies[Math.min(okLatencies.length - 1, Math.floor((p / 100) * okLatencies.length))] : NaN);
process.stdout.write(JSON.stringify({ statuses, withRetryAfter, okP50: pct(50), okP99: pct(99) }) + '\n');
agent.destroy();
