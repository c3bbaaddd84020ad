// A harness in its own process, for the exit tests: it finishes N tool calls in a
// session, says so on stdout, then waits (the session stays open) until it is
// signalled. usage: node harness.mjs ENDPOINT N [host-handler|natural]
import { startTracing, traceToolCall, withSession } from '../../../packages/sdk/dist/index.js';

const [endpoint, n, mode] = process.argv.slice(2);
// The host's own SIGINT handling, registered before Fulcrum's: it exits 130 a little later.
if (mode === 'host-handler') {
  process.on('SIGINT', () => {
    console.log('host handler');
    setTimeout(() => process.exit(130), 500);
  });
}
startTracing({ endpoint, env: {}, harness: 'exit-test' });
withSession({ sessionId: `exit-${mode ?? 'default'}` }, async () => {
  for (let i = 0; i < Number(n); i++) {
    await traceToolCall({ name: 'Read', id: `t${i}`, args: { file_path: `f${i}.ts` } }, async () => 'x');
  }
  console.log(`finished ${n}`);
  // 'natural': return, so the process ends when the event loop is empty, without shutdown().
  if (mode !== 'natural') await new Promise(() => setInterval(() => {}, 1000));
});
