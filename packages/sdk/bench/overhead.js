// Overhead of a wrapped no-op tool call against a bare startActiveSpan + end.
// Run after `tsc -b`: node packages/sdk/bench/overhead.js   (BENCH_N, BENCH_ROUNDS to change the size)
//
// Fairness: both sides run on the same startTracing pipeline (session processor,
// batch processor, redacting exporter, no-op exporter). Args rotate through 4096
// distinct calls of five tools (Read, Bash, Edit, Grep, Write; 1 in 64 carries a
// token), so no cache can hide the work. Rounds alternate sides after a warm-up;
// medians are reported. The loop yields every 256 calls, as a harness awaiting its
// tools would, so batches are exported as they fill; every span must reach the
// exporter, else the bench fails (dropped spans would hide export work).
//
// Three numbers, because traceToolCall defers its argument work to export time:
//   caller path  ns/op timed around the calls themselves;
//   amortised    caller path + the redacting exporter's prepare() per span, timed
//                over the same spans (this is where the argument work now runs);
//   process CPU  process.cpuUsage over the calls and the flush: everything, GC included.
import { trace } from '@opentelemetry/api';
import { RedactingSpanExporter, startTracing, traceToolCall, withSession } from '../dist/index.js';

let exported = 0;
const noopExporter = {
  export: (spans, done) => {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};

// Time the exporter's per-span preparation (deferred tool attributes + redaction).
let prepareNs = 0n;
let prepared = 0;
const prepare = RedactingSpanExporter.prototype.prepare;
RedactingSpanExporter.prototype.prepare = function (spans) {
  const t0 = process.hrtime.bigint();
  try {
    return prepare.call(this, spans);
  } finally {
    prepareNs += process.hrtime.bigint() - t0;
    prepared += spans.length;
  }
};

// global: true so the bare side's startActiveSpan runs on the same (AsyncLocalStorage) context manager as the wrappers.
const handle = startTracing({ exporter: noopExporter, env: {}, global: true });
const tracer = trace.getTracer('bench');

const TOKEN = 'ghp_' + 'x1Y2z3'.repeat(6);
const CALLS = Array.from({ length: 4096 }, (_, i) => {
  const file = `/repo/packages/mod-${i}/src/index.ts`;
  const tools = [
    ['Read', { file_path: file, offset: i % 300, limit: 120 }],
    ['Bash', { command: i % 64 === 1 ? `GITHUB_TOKEN=${TOKEN} gh pr create --title fix-${i}` : `npm test -- --run tests/sdk/case-${i}.test.ts`, description: 'Run one test file', timeout: 120000 }],
    ['Edit', { file_path: file, old_string: `const a${i} = 1;\nreturn a${i};`, new_string: `const a${i} = 2;\nconst b = 3;\nreturn a${i} + b;` }],
    ['Grep', { pattern: `TODO\\(${i}\\)`, path: 'src', output_mode: 'content' }],
    ['Write', { file_path: file, content: `// module ${i}\n` + 'export const x = 1;\n'.repeat(20) }],
  ];
  const [name, args] = tools[i % tools.length];
  return { name, id: `toolu_${i}`, args, spanName: `execute_tool ${name}` };
});
const noop = () => undefined;

let i = 0;
function bare() {
  tracer.startActiveSpan(CALLS[i++ & 4095].spanName, (span) => {
    noop();
    span.end();
  });
}
function wrapped() {
  const c = CALLS[i++ & 4095];
  traceToolCall({ name: c.name, id: c.id, args: c.args }, noop);
}

const yieldNow = () => new Promise((r) => setImmediate(r));

/** One round: caller ns/op, prepare ns/span and process CPU ns/op for n calls of fn. */
async function measure(fn, n) {
  prepareNs = 0n;
  prepared = 0;
  exported = 0;
  const cpu0 = process.cpuUsage();
  let caller = 0n;
  for (let done = 0; done < n; done += 256) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < 256; k++) fn();
    caller += process.hrtime.bigint() - t0;
    await yieldNow();
  }
  await handle.forceFlush();
  const cpu = process.cpuUsage(cpu0);
  if (exported !== n) throw new Error(`only ${exported} of ${n} spans were exported`);
  return { caller: Number(caller) / n, prepare: prepared ? Number(prepareNs) / prepared : 0, cpu: ((cpu.user + cpu.system) * 1000) / n };
}

const N = Number(process.env.BENCH_N ?? 102_400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const runs = { bare: [], wrapped: [] };
// Inside a session, as a harness runs its tools (both sides' spans carry the session id).
await withSession({ sessionId: 'bench' }, async () => {
  await measure(bare, N / 4);
  await measure(wrapped, N / 4);
  for (let r = 0; r < ROUNDS; r++) {
    runs.bare.push(await measure(bare, N));
    runs.wrapped.push(await measure(wrapped, N));
  }
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stat = (side, f) => median(runs[side].map(f));
const row = (label, f) => {
  const b = stat('bare', f);
  const w = stat('wrapped', f);
  console.log(`${label.padEnd(12)} bare ${b.toFixed(0).padStart(5)} ns   traceToolCall ${w.toFixed(0).padStart(5)} ns   ratio ${(w / b).toFixed(2)}x`);
};
row('caller path', (m) => m.caller);
row('amortised', (m) => m.caller + m.prepare);
row('process CPU', (m) => m.cpu);
console.log(`(medians of ${ROUNDS} rounds of ${N} calls; export-time prepare alone: bare ${stat('bare', (m) => m.prepare).toFixed(0)} ns/span, traceToolCall ${stat('wrapped', (m) => m.prepare).toFixed(0)} ns/span)`);
await handle.shutdown();
