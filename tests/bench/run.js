// npm run bench: every benchmark, each printing ratios measured in this one run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@fulcrum/store';
import { runIngestBench } from './ingest.js';
import { runQueryBench } from './query.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
// BENCH_ONLY=ingest|query|sdk runs one part.
const only = process.env.BENCH_ONLY;
const runs = (part) => !only || only === part;
const dataDir = mkdtempSync(join(tmpdir(), 'fulcrum-bench-'));
const store = await openStore({ dataDir });
try {
  if (runs('ingest')) await runIngestBench(store, { seconds });
  // The same store: libchdb binds one data directory per process.
  if (runs('query')) await runQueryBench(store, { rows: (process.env.BENCH_QUERY_ROWS ?? '1000000,10000000').split(',').map(Number) });
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}

// The SDK microbench runs in its own process: nothing else on its event loop, no chDB threads.
if (runs('sdk')) console.log('\nSDK overhead (wrapped no-op tool call vs bare span)');
if (runs('sdk')) spawnSync(process.execPath, [fileURLToPath(new URL('../../packages/sdk/bench/overhead.js', import.meta.url))], { stdio: 'inherit' });
if (runs('sdk')) console.log('\nSDK shutdown (default settings) against a server that hangs, is down, or answers');
if (runs('sdk')) spawnSync(process.execPath, [fileURLToPath(new URL('../../packages/sdk/bench/shutdown.js', import.meta.url))], { stdio: 'inherit' });
