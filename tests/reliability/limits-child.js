// A Fulcrum server in its own process, so its resident memory is its own (read from
// /proc/<pid>/status by the test). Usage: node limits-child.js '<ServerOptions as JSON>'
// Prints "listening on <url>"; on SIGTERM closes gracefully (flushing rows) and exits 0.
import { startServer } from '@fulcrum/server';

const options = JSON.parse(process.argv[2] ?? '{}');
const server = await startServer({ port: 0, ...options });
process.stdout.write(`listening on ${server.url}\n`);
process.once('SIGTERM', () => {
  server.close().then(() => process.exit(0), (err) => {
    process.stderr.write(`close failed: ${err.message}\n`);
    process.exit(1);
  });
});
