// Overhead of a wrapped no-op tool call against a bare startActiveSpan + end, on the
// same provider (Fulcrum's session and redaction processors, batch processor, no-op
// exporter). The wrapped call canonicalises, redacts, hashes and describes its args;
// args rotate through 4096 distinct commands so the redaction cache does not hide the
// cost. The loop yields every 1024 calls so batches are really exported.
// Run after `tsc -b`: node packages/sdk/bench/overhead.js
import { trace } from '@opentelemetry/api';
import { startTracing, traceToolCall } from '../dist/index.js';

const noopExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};

const handle = startTracing({ exporter: noopExporter, env: {} });
const tracer = trace.getTracer('bench');

const ARGS = Array.from({ length: 4096 }, (_, i) => ({
  command: `npm test -- --run tests/sdk/case-${i}.test.ts`,
  description: 'Run one test file',
  timeout: 120000,
}));
const noop = () => undefined;

function bare() {
  tracer.startActiveSpan('execute_tool Bash', (span) => {
    noop();
    span.end();
  });
}

let i = 0;
function wrapped() {
  traceToolCall({ name: 'Bash', id: 'toolu_01', args: ARGS[i++ & 4095] }, noop);
}

const yieldNow = () => new Promise((r) => setImmediate(r));

async function measure(fn, n) {
  let total = 0n;
  for (let done = 0; done < n; done += 1024) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < 1024; k++) fn();
    total += process.hrtime.bigint() - t0;
    await yieldNow();
  }
  return Number(total) / n;
}

const N = Number(process.env.BENCH_N ?? 102_400);
await measure(bare, N / 4);
await measure(wrapped, N / 4);
const runs = { bare: [], wrapped: [] };
for (let r = 0; r < 7; r++) {
  runs.bare.push(await measure(bare, N));
  runs.wrapped.push(await measure(wrapped, N));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const b = median(runs.bare);
const w = median(runs.wrapped);
console.log(`bare startActiveSpan+end: ${b.toFixed(0)} ns/op (min ${min(runs.bare).toFixed(0)})`);
console.log(`traceToolCall (no-op):    ${w.toFixed(0)} ns/op (min ${min(runs.wrapped).toFixed(0)})`);
console.log(`ratio (median): ${(w / b).toFixed(2)}x, (min): ${(min(runs.wrapped) / min(runs.bare)).toFixed(2)}x`);
await handle.shutdown();
