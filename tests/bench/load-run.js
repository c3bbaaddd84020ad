// Runs the load client as a second process and samples the server's RSS meanwhile.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const CLIENT = join(import.meta.dirname, 'load-client.js');

/** Runs one open-loop phase; resolves to the client's report plus the server's peak RSS in bytes. */
export function runPhase(url, { rate, seconds, spans = 100, run, maxInFlight = 2048 }) {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLIENT, url, String(rate), String(seconds), String(spans), String(run), String(maxInFlight)], { maxBuffer: 1 << 20, timeout: (seconds + 90) * 1000 }, (err, stdout) => {
      clearInterval(sampler);
      if (err) return reject(err);
      resolve({ ...JSON.parse(stdout.trim().split('\n').at(-1)), peakRss });
    });
  });
}

/** Spans stored for a run (its trace ids start with the run number), counted once each. */
export async function storedSpans(store, run) {
  const rs = await store.client.query({ query: 'SELECT count() AS n FROM spans FINAL WHERE startsWith(TraceId, {p:String})', query_params: { p: (run >>> 0).toString(16).padStart(8, '0') }, format: 'JSONEachRow' });
  return Number((await rs.json())[0].n);
}
