import { DEFAULT_WEB_PORT, startServer } from '@fulcrum/server';
import { intFlag, parseFlags } from '../args.js';
import { describeStoreError, storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';
import { UsageError } from '../errors.js';
import { CONFIG_FLAG, CONFIG_HELP, loadConfigFromFlags } from '../config/index.js';
import { parseSize } from '../config/size.js';

export const SERVE_HELP = `Usage: fulcrum serve [options]

Starts the OTLP/HTTP receiver (POST /v1/traces, /v1/logs, /v1/metrics), the
HTTP API (/api/*; OpenAPI 3.1 at /openapi.json, rendered at /docs), /healthz,
and the web app on its own port.

Options:
  --port <n>              port to listen on (default 4318, env FULCRUM_PORT)
  --web-port <n>|off      port of the web app, which also answers /api/* and /docs
                          (default ${DEFAULT_WEB_PORT}, env FULCRUM_WEB_PORT; off serves no web app)
  --host <addr>           interface to listen on (default 127.0.0.1, env FULCRUM_HOST)
  --auth auto|required|off  API keys: auto = required once any key exists (default, env FULCRUM_AUTH)
  --rate-limit <n>        requests per second per project, 0 = off (default 200, env FULCRUM_RATE_LIMIT)
  --spool-dir <dir>       where batches wait while ClickHouse is down (default <data-dir>/spool)
  --analysis on|off       run the session analyser in this process (default on; turn it off on
                          all but one of several instances sharing a ClickHouse)
  --analyse-after <d>     classify a session once it has been quiet this long: 500ms, 30s, 2m
                          (default 30s, or analysis.analyseAfter in the config file)

Limits (what keeps a bad day or a hostile client from losing data or taking the server):
  --disk-low-water <size> free space on the data or spool filesystem below which writes get 503
                          and merges stop, e.g. 2GiB (default 256MiB + the largest partition)
  --disk-high-water <size>  free space above which writes resume (default 1.25 x low-water)
  --max-memory <size>     resident memory above which writes get 503 (default 75% of the
                          container's or machine's memory)
  --api-rate-limit <n>    /api requests per second per project, 0 = off (default 10)
  --api-concurrency <n>   /api queries running at once per project (default 2)
  --query-timeout <s>     seconds a query may run before it is stopped (default 60)
  --query-memory <size>   memory one query may use (default 2GiB)
  --max-span-age-days <n> spans that started longer ago are rejected (default 730)
  --max-cost-per-call <usd>  a call reporting a higher cost is rejected (default 1000)
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
  const { values } = parseFlags(argv, { port: { type: 'string' }, 'web-port': { type: 'string' }, host: { type: 'string' }, auth: { type: 'string' }, 'rate-limit': { type: 'string' }, 'spool-dir': { type: 'string' }, 'analyse-after': { type: 'string' }, analysis: { type: 'string' }, ...LIMIT_FLAGS, ...CONFIG_FLAG, ...STORE_FLAGS });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return;
  }
  const port = intFlag((values.port as string | undefined) ?? env.FULCRUM_PORT, 'port', 4318);
  const host = (values.host as string | undefined) ?? env.FULCRUM_HOST ?? '127.0.0.1';
  const webPortText = (values['web-port'] as string | undefined) ?? (env.FULCRUM_WEB_PORT || undefined);
  const webPort = webPortText === 'off' ? false : intFlag(webPortText, 'web-port', DEFAULT_WEB_PORT);
  const store = storeOptions(values, env);
  const auth = (values.auth as string | undefined) ?? (env.FULCRUM_AUTH || 'auto');
  if (auth !== 'auto' && auth !== 'required' && auth !== 'off') throw new UsageError(`--auth must be auto, required or off, got "${auth}"`);
  const rate = intFlag((values['rate-limit'] as string | undefined) ?? (env.FULCRUM_RATE_LIMIT || undefined), 'rate-limit', 200, 0, 1_000_000);
  const analysis = (values.analysis as string | undefined) ?? 'on';
  if (analysis !== 'on' && analysis !== 'off') throw new UsageError(`--analysis must be on or off, got "${analysis}"`);
  const limits = limitOptions(values);
  const { config, priceTable } = loadConfigFromFlags(values, env, { 'analysis.analyseAfter': { value: values['analyse-after'], flag: '--analyse-after' } });
  let server;
  try {
    server = await startServer({
      port,
      webPort,
      host,
      store: { ...store, ...limits.store },
      spoolDir: values['spool-dir'] as string | undefined,
      auth: { mode: auth },
      limits: { requestsPerSecond: rate, ...limits.ingest },
      diskSpace: limits.diskSpace,
      apiLimits: limits.api,
      plausible: limits.plausible,
      logger: { level: env.FULCRUM_LOG_LEVEL ?? 'info' },
      analysis: analysis === 'off' ? false : { analyseAfterMs: config.analyseAfterMs },
      analysisConfig: { minRepeat: config.minRepeat, runaway: config.runaway, prices: priceTable },
      weights: config.weights,
      repositoryBudgetUsd: config.repositoryBudgetUsd,
      minGroupSize: config.minGroupSize,
      prices: priceTable,
    });
  } catch (err) {
    throw new UsageError(describeStartError(err as NodeJS.ErrnoException, store, port));
  }
  server.app.log.info(`fulcrum ingest listening on ${server.url} (store: ${server.app.store.kind} ${server.app.store.location})`);
  if (server.web) server.app.log.info(`web app on ${server.web.url}`);
  const stop = async () => {
    server.app.log.info('shutting down: flushing pending rows');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The port a listen error names (the ingest port or the web app's). */
const portInUse = (err: NodeJS.ErrnoException): number | undefined => (err as { port?: number }).port;

function describeStartError(err: NodeJS.ErrnoException, store: ReturnType<typeof storeOptions>, port: number): string {
  if (err.code === 'EADDRINUSE') return `port ${portInUse(err) ?? port} is already in use (pass ${portInUse(err) === port || portInUse(err) === undefined ? '--port' : '--web-port, or --web-port off'})`;
  if (err.code === 'EACCES' && err.syscall === 'listen') return `no permission to listen on port ${port} (pass --port)`;
  const described = describeStoreError(err, store);
  return described.startsWith('cannot open the store: ') ? `cannot start: ${err.message.split('\n')[0]}` : described;
}

const LIMIT_FLAGS = {
  'disk-low-water': { type: 'string' },
  'disk-high-water': { type: 'string' },
  'max-memory': { type: 'string' },
  'api-rate-limit': { type: 'string' },
  'api-concurrency': { type: 'string' },
  'query-timeout': { type: 'string' },
  'query-memory': { type: 'string' },
  'max-span-age-days': { type: 'string' },
  'max-cost-per-call': { type: 'string' },
} as const;

const DAY_MS = 86_400_000;

/** The limit flags as the options of the store and the app; a flag not given leaves the library's default. */
function limitOptions(values: Record<string, unknown>) {
  const text = (name: keyof typeof LIMIT_FLAGS) => values[name] as string | undefined;
  const size = (name: keyof typeof LIMIT_FLAGS): number | undefined => {
    const v = text(name);
    if (v === undefined) return undefined;
    const bytes = parseSize(v);
    if (typeof bytes === 'string') throw new UsageError(`--${name} ${bytes}, got "${v}"`);
    return bytes;
  };
  const int = (name: keyof typeof LIMIT_FLAGS, min: number, max: number) => (text(name) === undefined ? undefined : intFlag(text(name), name, 0, min, max));
  const usd = text('max-cost-per-call');
  if (usd !== undefined && !(Number(usd) > 0)) throw new UsageError(`--max-cost-per-call must be a positive number of USD, got "${usd}"`);
  const lowWater = size('disk-low-water');
  const highWater = size('disk-high-water');
  if (lowWater !== undefined && highWater !== undefined && highWater < lowWater) throw new UsageError('--disk-high-water must be at least --disk-low-water');
  const ageDays = int('max-span-age-days', 1, 2190);
  const perProject = int('api-concurrency', 1, 1000);
  const defined = <T extends object>(o: T): T | undefined => (Object.values(o).some((v) => v !== undefined) ? o : undefined);
  return {
    store: { maxQuerySeconds: int('query-timeout', 1, 86_400), maxQueryMemoryBytes: size('query-memory') },
    ingest: { maxRssBytes: size('max-memory') },
    diskSpace: defined({ lowWaterBytes: lowWater, highWaterBytes: highWater }),
    api: defined({ requestsPerSecond: int('api-rate-limit', 0, 1_000_000), maxConcurrentPerProject: perProject, maxConcurrent: perProject === undefined ? undefined : Math.max(4, perProject) }),
    plausible: defined({ timestampWindow: ageDays === undefined ? undefined : { pastMs: ageDays * DAY_MS, futureMs: DAY_MS }, maxCostUsdPerCall: usd === undefined ? undefined : Number(usd) }),
  };
}
