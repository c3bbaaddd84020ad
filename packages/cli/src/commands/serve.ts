import { startServer } from '@fulcrum/ingest';
import { intFlag, parseFlags } from '../args.js';
import { describeStoreError, storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';
import { UsageError } from '../errors.js';
import { CONFIG_FLAG, CONFIG_HELP, loadConfigFromFlags } from '../config/index.js';

export const SERVE_HELP = `Usage: fulcrum serve [options]

Starts the OTLP/HTTP receiver (POST /v1/traces, /v1/logs, /v1/metrics), the
HTTP API (/api/*, OpenAPI at /docs) and /healthz.

Options:
  --port <n>              port to listen on (default 4318, env FULCRUM_PORT)
  --host <addr>           interface to listen on (default 127.0.0.1, env FULCRUM_HOST)
  --auth auto|required|off  API keys: auto = required once any key exists (default, env FULCRUM_AUTH)
  --rate-limit <n>        requests per second per project, 0 = off (default 200, env FULCRUM_RATE_LIMIT)
  --spool-dir <dir>       where batches wait while ClickHouse is down (default <data-dir>/spool)
  --analysis on|off       run the session analyser in this process (default on; turn it off on
                          all but one of several instances sharing a ClickHouse)
  --analyse-after <d>     classify a session once it has been quiet this long: 500ms, 30s, 2m
                          (default 30s, or analysis.analyseAfter in the config file)
${CONFIG_HELP}
${STORE_HELP}
  -h, --help              show this help

Environment:
  FULCRUM_LOG_LEVEL       log level: fatal, error, warn, info (default), debug, trace or silent
  FULCRUM_CLICKHOUSE_CLUSTER  with a ClickHouse server, the cluster that pending migrations
                          create their tables on (see "fulcrum migrate --help")

Point any OpenTelemetry exporter at it:
  OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318
`;

export async function serveCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parseFlags(argv, { port: { type: 'string' }, host: { type: 'string' }, auth: { type: 'string' }, 'rate-limit': { type: 'string' }, 'spool-dir': { type: 'string' }, 'analyse-after': { type: 'string' }, analysis: { type: 'string' }, ...CONFIG_FLAG, ...STORE_FLAGS });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return;
  }
  const port = intFlag((values.port as string | undefined) ?? env.FULCRUM_PORT, 'port', 4318);
  const host = (values.host as string | undefined) ?? env.FULCRUM_HOST ?? '127.0.0.1';
  const store = storeOptions(values, env);
  const auth = (values.auth as string | undefined) ?? (env.FULCRUM_AUTH || 'auto');
  if (auth !== 'auto' && auth !== 'required' && auth !== 'off') throw new UsageError(`--auth must be auto, required or off, got "${auth}"`);
  const rate = intFlag((values['rate-limit'] as string | undefined) ?? (env.FULCRUM_RATE_LIMIT || undefined), 'rate-limit', 200, 0, 1_000_000);
  const analysis = (values.analysis as string | undefined) ?? 'on';
  if (analysis !== 'on' && analysis !== 'off') throw new UsageError(`--analysis must be on or off, got "${analysis}"`);
  const { config, priceTable } = loadConfigFromFlags(values, env, { 'analysis.analyseAfter': { value: values['analyse-after'], flag: '--analyse-after' } });
  let server;
  try {
    server = await startServer({
      port,
      host,
      store,
      spoolDir: values['spool-dir'] as string | undefined,
      auth: { mode: auth },
      limits: { requestsPerSecond: rate },
      logger: { level: env.FULCRUM_LOG_LEVEL ?? 'info' },
      analysis: analysis === 'off' ? false : { analyseAfterMs: config.analyseAfterMs },
      analysisConfig: { minRepeat: config.minRepeat, runaway: config.runaway, prices: priceTable },
      weights: config.weights,
      repositoryBudgetUsd: config.repositoryBudgetUsd,
      prices: priceTable,
    });
  } catch (err) {
    throw new UsageError(describeStartError(err as NodeJS.ErrnoException, store, port));
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

function describeStartError(err: NodeJS.ErrnoException, store: ReturnType<typeof storeOptions>, port: number): string {
  if (err.code === 'EADDRINUSE') return `port ${port} is already in use (pass --port)`;
  if (err.code === 'EACCES' && err.syscall === 'listen') return `no permission to listen on port ${port} (pass --port)`;
  const described = describeStoreError(err, store);
  return described.startsWith('cannot open the store: ') ? `cannot start: ${err.message.split('\n')[0]}` : described;
}
