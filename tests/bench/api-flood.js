// npm run bench:api-flood — ingest latency while 16 clients flood the query API with waste reports,
// with the API limits on and lifted. The server runs here; ingest load and flood are two more processes.
// Idle and flooded windows alternate (ROUNDS of each) and each side's p99 is over its pooled latencies,
// so the box's own noise falls on both sides. Prints flooded p99 / idle p99 for each setting.
// Env: FLOOD_SEED_SPANS (default 1,000,000), FLOOD_ROUNDS (default 3).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@fulcrum/server';
import { openStore } from '@fulcrum/store';
import { seedFloodSpans } from './flood-seed.js';

const SEED_SPANS = Number(process.env.FLOOD_SEED_SPANS ?? 1_000_000);
const ROUNDS = Number(process.env.FLOOD_ROUNDS ?? 3);
const LOAD_CLIENT = join(import.meta.dirname, 'load-client.js');
const FLOOD_CLIENT = join(import.meta.dirname, '../reliability/api-flood-client.js');

const run = (script, args) => new Promise((resolve, reject) =>
  execFile(process.execPath, [script, ...args], { timeout: 120_000, maxBuffer: 16 << 20 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(JSON.parse(out.trim())))));

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(store, label, apiLimits, firstRun) {
  const app = await buildApp({ store, limits: { requestsPerSecond: 0 }, apiLimits, analysis: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${app.server.address().port}`;
  const idle = [];
  const flooded = [];
  const statuses = {};
  for (let round = 0; round < ROUNDS; round++) {
    const quiet = await run(LOAD_CLIENT, [url, '20', '4', '100', String(firstRun + 2 * round), '64', 'latencies']);
    const [flood, loaded] = await Promise.all([
      run(FLOOD_CLIENT, [url, '/api/reports/waste', '16', '6', '10']),
      new Promise((r) => setTimeout(r, 1000)).then(() => run(LOAD_CLIENT, [url, '20', '4', '100', String(firstRun + 2 * round + 1), '64', 'latencies'])),
    ]);
    idle.push(...quiet.latencies);
    flooded.push(...loaded.latencies);
    for (const [s, n] of Object.entries(flood.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  }
  await app.close();
  idle.sort((a, b) => a - b);
  flooded.sort((a, b) => a - b);
  const r = { idleP50: pct(idle, 50), idleP99: pct(idle, 99), floodP50: pct(flooded, 50), floodP99: pct(flooded, 99) };
  console.log(`${label.padEnd(13)} ingest idle p50 ${r.idleP50.toFixed(1)} p99 ${r.idleP99.toFixed(1)} ms | flooded p50 ${r.floodP50.toFixed(1)} p99 ${r.floodP99.toFixed(1)} ms | p99 ratio ${(r.floodP99 / r.idleP99).toFixed(2)}x | flood answers ${JSON.stringify(statuses)}`);
  return r;
}

const dataDir = mkdtempSync(join(tmpdir(), 'fulcrum-bench-flood-'));
const store = await openStore({ dataDir });
console.log(`seeded ${SEED_SPANS} spans in ${await seedFloodSpans(store, SEED_SPANS)} ms; ${ROUNDS} rounds of 4 s idle and 4 s flooded ingest at 20 req/s x 100 spans; 16 flood clients`);
const limited = await measure(store, 'limits on', undefined, 1);
const lifted = await measure(store, 'limits lifted', { requestsPerSecond: 0, maxConcurrentPerProject: 10_000, maxConcurrent: 10_000 }, 100);
console.log(`flooded ingest p99, limits on vs lifted: ${(limited.floodP99 / lifted.floodP99).toFixed(2)}x`);
await store.close();
rmSync(dataDir, { recursive: true, force: true });
