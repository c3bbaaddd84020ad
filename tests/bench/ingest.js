// Ingest benchmark: ours vs the store's own insert limit vs a naive receiver, measured in one run.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeTracesProtobuf, normaliseTraces } from '@fulcrum/ingest';
import { buildApp } from '@fulcrum/server';
import { encodeSpanRows, spansTableDdl, writeEncodedSpans } from '@fulcrum/store';
import { redact } from '@fulcrum/vocab';
import { buildBodies } from './fixtures.js';
import { startNaiveReceiver } from './naive-receiver.js';

const SPANS_PER_BODY = 1000;
const fmt = (n) => Math.round(n).toLocaleString('en-US');

function load(url, files, seconds, concurrency) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./sender.js', import.meta.url)), [JSON.stringify({ url, files, spansPerBody: SPANS_PER_BODY, seconds, concurrency })]);
    child.once('message', resolve);
    child.once('error', reject);
  });
}

/** Two concurrent INSERTs of already-built rows (encoding excluded, RowBinary), repeated: the most the store takes. */
async function storeLimit(store, rows, rounds) {
  const body = encodeSpanRows(rows);
  const insert = () => writeEncodedSpans(store, body, 'spans_limit');
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await Promise.all([insert(), insert()]);
  return (2 * rounds * rows.length) / ((performance.now() - t0) / 1000);
}

export async function runIngestBench(store, { seconds = 10, concurrency = 8 } = {}) {
  const client = store.client;
  await client.command({ query: spansTableDdl('spans_limit') });
  await client.command({ query: spansTableDdl('spans_naive') });
  process.stderr.write('building 40 protobuf bodies of 1,000 spans with the OpenTelemetry SDK…\n');
  const files = buildBodies(40, SPANS_PER_BODY);
  const bodies = files.map((f) => readFileSync(f));

  const ctx = { project: 'bench', redact };
  let t0 = performance.now();
  let rows = [];
  for (const b of bodies) rows = rows.concat(normaliseTraces(decodeTracesProtobuf(b), ctx).rows);
  const decodeRate = rows.length / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (const b of bodies) decodeTracesProtobuf(b);
  const decodeOnlyRate = rows.length / ((performance.now() - t0) / 1000);

  process.stderr.write('measuring the store limit (2 concurrent INSERTs of 20,000 built rows)…\n');
  const limit = await storeLimit(store, rows.slice(0, 20_000), 4);

  // With analysis off, then on with a 1 s quiet delay, so sessions are classified while the load runs.
  const ingest = async (analysis) => {
    const app = await buildApp({ store, logger: false, analysis });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const r = await load(`http://127.0.0.1:${app.server.address().port}/v1/traces`, files, seconds, concurrency);
    const analysed = analysis ? app.analyser.analysed : 0;
    await app.close();
    return { ...r, analysed };
  };
  // Off, on, off: the store keeps merging earlier runs' parts, so each later run competes with more
  // background work; comparing "on" with the mean of the runs around it cancels that drift.
  process.stderr.write(`measuring Fulcrum ingest for ${seconds}s from a second process, analysis off…\n`);
  const ours = await ingest(false);
  process.stderr.write(`measuring Fulcrum ingest for ${seconds}s with analysis on (quiet delay 1 s)…\n`);
  const analysed = await ingest({ analyseAfterMs: 1000, pollMs: Number(process.env.BENCH_POLL_MS ?? 500) });
  process.stderr.write(`measuring Fulcrum ingest for ${seconds}s, analysis off again…\n`);
  const offAgain = await ingest(false);

  process.stderr.write(`measuring the naive receiver for ${seconds}s…\n`);
  const naive = await startNaiveReceiver(client, 'spans_naive');
  const base = await load(`http://127.0.0.1:${naive.address().port}/v1/traces`, files, seconds, concurrency);
  naive.close();

  const oursRate = ours.acked / ours.elapsed;
  const analysedRate = analysed.acked / analysed.elapsed;
  const offMeanRate = (oursRate + offAgain.acked / offAgain.elapsed) / 2;
  const naiveRate = base.acked / base.elapsed;
  const report = {
    decodeNormaliseSpansPerSec: decodeRate, decodeOnlySpansPerSec: decodeOnlyRate, storeLimitRowsPerSec: limit,
    ingestSpansPerSec: oursRate, ingestP50Ms: ours.p50, ingestP99Ms: ours.p99, ingestRefused: ours.refused,
    naiveSpansPerSec: naiveRate, naiveRefused: base.refused,
    ratioToStoreLimit: oursRate / limit, ratioToNaive: oursRate / naiveRate,
    ingestWithAnalysisSpansPerSec: analysedRate, sessionsAnalysedDuringLoad: analysed.analysed, ratioAnalysisOnToOff: analysedRate / offMeanRate,
  };
  console.log('\nIngest (protobuf requests of 1,000 spans, loopback, second process)');
  console.log(`  decode only (single pass)         ${fmt(decodeOnlyRate)} spans/s (one core)`);
  console.log(`  decode + normalise + redact       ${fmt(decodeRate)} spans/s (one core)`);
  console.log(`  store limit (2 concurrent INSERT) ${fmt(limit)} rows/s`);
  console.log(`  Fulcrum ingest, end to end        ${fmt(oursRate)} spans/s  p50 ${ours.p50.toFixed(0)} ms  p99 ${ours.p99.toFixed(0)} ms  non-200: ${ours.refused}`);
  console.log(`  ... with analysis on (1 s quiet)  ${fmt(analysedRate)} spans/s  p99 ${analysed.p99.toFixed(0)} ms  sessions analysed during the load: ${analysed.analysed}`);
  console.log(`  naive receiver, end to end        ${fmt(naiveRate)} spans/s  non-200: ${base.refused}`);
  console.log(`  ratio ingest / store limit        ${report.ratioToStoreLimit.toFixed(2)}  (goal ≥ 0.6)`);
  console.log(`  ratio ingest / naive              ${report.ratioToNaive.toFixed(2)}×  (goal ≥ 3×)`);
  console.log(`  ratio analysis on / off           ${report.ratioAnalysisOnToOff.toFixed(2)}  (goal ≥ 0.9; off = mean of the runs before and after: ${fmt(oursRate)} and ${fmt(offAgain.acked / offAgain.elapsed)} spans/s)`);
  return report;
}
