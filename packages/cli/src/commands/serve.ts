import { startServer } from '@fulcrum/ingest';
import { intFlag, parseFlags } from '../args.js';
import { storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';
import { UsageError } from '../errors.js';

export const SERVE_HELP = `Usage: fulcrum serve [options]

Starts the OTLP/HTTP receiver (POST /v1/traces, /v1/logs, /v1/metrics), the
HTTP API (/api/*, OpenAPI at /docs) and /healthz.

Options:
  --port <n>              port to listen on (default 4318, env FULCRUM_PORT)
  --host <addr>           interface to listen on (default 127.0.0.1, env FULCRUM_HOST)
${STORE_HELP}
  -h, --help              show this help

Point any OpenTelemetry exporter at it:
  OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318
`;

export async function serveCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parseFlags(argv, { port: { type: 'string' }, host: { type: 'string' }, ...STORE_FLAGS });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return;
  }
  const port = intFlag((values.port as string | undefined) ?? env.FULCRUM_PORT, 'port', 4318);
  const host = (values.host as string | undefined) ?? env.FULCRUM_HOST ?? '127.0.0.1';
  const store = storeOptions(values, env);
  let server;
  try {
    server = await startServer({ port, host, store, logger: { level: env.FULCRUM_LOG_LEVEL ?? 'info' } });
  } catch (err) {
    throw new UsageError(describeStartError(err as NodeJS.ErrnoException, store.url ?? store.dataDir ?? '', port));
  }
  server.app.log.info(`fulcrum ingest listening on ${server.url} (store: ${server.app.store.kind} ${server.app.store.location})`);
  const stop = async () => {
    server.app.log.info('shutting down: flushing pending rows');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function describeStartError(err: NodeJS.ErrnoException, where: string, port: number): string {
  if (err.code === 'EADDRINUSE') return `port ${port} is already in use (pass --port)`;
  if (err.code === 'FULCRUM_DATA_DIR_LOCKED') return err.message;
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || /ECONNREFUSED|ENOTFOUND|connect/i.test(err.message)) return `cannot reach ClickHouse at ${where}: ${err.message}`;
  return `cannot start: ${err.message.split('\n')[0]}`;
}
