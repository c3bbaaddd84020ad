// Shutdown time of a harness whose Fulcrum server is down, hangs, or answers, at the
// default settings, against the bound shutdown() promises (shutdownTimeoutMillis, 5 s).
// Run after `tsc -b`: node packages/sdk/bench/shutdown.js
import { createServer } from 'node:http';
import { startTracing, traceToolCall, withSession } from '../dist/index.js';

const BOUND_MS = 5000;
const held = [];
const listen = (handler) =>
  new Promise((resolve) => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => handler(res));
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
const url = (server) => `http://127.0.0.1:${server.address().port}`;

const hung = await listen((res) => held.push(res));
const ok = await listen((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
const gone = await listen(() => {});
const goneUrl = url(gone);
await new Promise((r) => gone.close(r));

async function shutdownAfter(endpoint, calls) {
  const tracing = startTracing({ endpoint, env: {}, logger: false });
  withSession({ sessionId: 'bench-shutdown' }, () => {
    for (let i = 0; i < calls; i++) traceToolCall({ name: 'Read', id: `t${i}`, args: { file_path: `src/f${i % 100}.ts` } }, () => 'x');
  });
  const t0 = performance.now();
  const report = await tracing.shutdown();
  return { ms: performance.now() - t0, report };
}

for (const [label, endpoint, calls] of [
  ['server hangs', url(hung), 100],
  ['server down', goneUrl, 100],
  ['server answers', url(ok), 20_000],
]) {
  const { ms, report } = await shutdownAfter(endpoint, calls);
  console.log(
    `${label.padEnd(15)} ${String(calls).padStart(6)} spans  shutdown ${ms.toFixed(0).padStart(5)} ms  = ${(ms / BOUND_MS).toFixed(2)}x the 5 s bound  ` +
      `(exported ${report.exported}, failed ${report.failed}, pending ${report.pending}, dropped ${report.dropped})`,
  );
}
for (const res of held) res.destroy();
hung.close();
ok.close();
