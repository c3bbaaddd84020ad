// npm run bench:load — steady load then a ramp against `fulcrum serve` on loopback.
// The server runs here (so its RSS can be sampled); the client is a second process.
// Env: LOAD_SECONDS (steady phase, default 60), LOAD_RATE (requests/s, default 40),
// LOAD_SPANS (spans per request, default 100), LOAD_STEP_SECONDS (ramp step, default 10),
// LOAD_RAMP_START (first ramp rate, default 40), LOAD_RAMP_STEPS (most steps, default 10).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@fulcrum/server';
import { runPhase, storedSpans } from './load-run.js';

const env = (k, d) => Number(process.env[k] ?? d);
const SECONDS = env('LOAD_SECONDS', 60);
const RATE = env('LOAD_RATE', 40);
const SPANS = env('LOAD_SPANS', 100);
const STEP_SECONDS = env('LOAD_STEP_SECONDS', 10);
const RAMP_START = env('LOAD_RAMP_START', 40);
const RAMP_STEPS = env('LOAD_RAMP_STEPS', 10);
const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const ms = (v) => `${v.toFixed(1)} ms`;

const dataDir = mkdtempSync(join(tmpdir(), 'fulcrum-load-'));
// Rate limiting off: this measures the pipeline, not the per-project limit.
const server = await startServer({ port: 0, store: { dataDir }, limits: { requestsPerSecond: 0 } });
console.log(`server ${server.url}, data ${dataDir}, ${SPANS} spans/request, half gzip`);

async function phase(run, rate, seconds) {
  const r = await runPhase(server.url, { rate, seconds, spans: SPANS, run });
  await server.app.spanWriter.flush(); // every acknowledged row is in the store before counting
  const stored = await storedSpans(server.app.store, run);
  return { ...r, stored };
}

const steady = await phase(1, RATE, SECONDS);
console.log(`\nsteady: ${RATE} req/s (${RATE * SPANS} spans/s) for ${SECONDS} s`);
console.log(`  statuses ${JSON.stringify(steady.statuses)}, client-skipped ${steady.skipped}`);
console.log(`  spans acknowledged ${steady.ackedSpans}, spans stored ${steady.stored} ${steady.ackedSpans === steady.stored ? '(equal)' : '(MISMATCH)'}`);
console.log(`  latency p50 ${ms(steady.p50)}, p99 ${ms(steady.p99)}, max ${ms(steady.max)}; server peak RSS ${mb(steady.peakRss)}`);

console.log(`\nramp: ${STEP_SECONDS} s steps from ${RAMP_START} req/s, x1.5 until p99 >= 1 s or >1% non-200`);
let best;
let rate = RAMP_START;
for (let step = 0; step < RAMP_STEPS; step++, rate = Math.round(rate * 1.5)) {
  const r = await phase(100 + step, rate, STEP_SECONDS);
  const ok = r.statuses[200] ?? 0;
  const held = r.p99 < 1000 && ok >= 0.99 * r.offered && r.stored === r.ackedSpans;
  console.log(`  ${String(rate).padStart(5)} req/s (${rate * SPANS} spans/s): p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, 200s ${ok}/${r.offered}, stored ${r.stored}/${r.ackedSpans}, RSS ${mb(r.peakRss)} ${held ? 'held' : 'NOT held'}`);
  if (!held) break;
  best = { rate, ...r };
}
console.log(best ? `\nhighest rate held with p99 < 1 s: ${best.rate} req/s = ${best.rate * SPANS} spans/s (p99 ${ms(best.p99)})` : '\nno ramp step held p99 < 1 s');
await server.close();
process.exit(steady.ackedSpans === steady.stored ? 0 : 1);
