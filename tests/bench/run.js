// npm run bench: every benchmark, each printing ratios measured in this one run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@fulcrum/store';
import { runIngestBench } from './ingest.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'fulcrum-bench-')) });
try {
  await runIngestBench(store, { seconds });
} finally {
  await store.close();
}
