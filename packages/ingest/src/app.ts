import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Store } from '@fulcrum/store';
import { redact as defaultRedact, type PriceTable } from '@fulcrum/vocab';
import type { BatchWriter } from './writer.js';
import type { SpoolCounts } from './spool.js';
import { createSpanSink } from './span-sink.js';
import { authPlugin, type AuthOptions } from './plugins/auth.js';
import { limitsPlugin, type LimitsOptions } from './plugins/limits.js';
import { unreadBodyPlugin } from './plugins/unread-body.js';
import { timeoutServerOptions, type TimeoutOptions } from './timeouts.js';
import { otlpHttpPlugin } from './plugins/otlp-http.js';
import { tracesRoute } from './routes/traces.js';
import { healthRoute, type HealthRouteOptions } from './routes/health.js';
import { HealthTracker, storeReportingInserts, type HealthTrackerOptions } from './health-tracker.js';
import { diskSpacePlugin, type DiskSpaceOptions } from './plugins/disk-space.js';
import { adminRoutes, type AdminOptions } from './routes/admin.js';
import { logsRoute } from './routes/logs.js';
import { metricsRoute } from './routes/metrics.js';
import { JoinCache } from './normalise/harness/join.js';
import type { NormaliseContext } from './normalise/span.js';
import type { SanitiseOptions } from './normalise/sanitise.js';
import { resolvePlausible, type Plausibility, type PlausibleOptions } from './normalise/plausible.js';
import { safeLoggerOptions } from './logging.js';

export interface AppOptions {
  /** The store rows are written to. The caller opens it and closes it after the app. */
  store: Store;
  /** Fastify logger option (pino); requests are logged by path (no query string) and errors redacted, whatever serializers it names. @default false */
  logger?: FastifyServerOptions['logger'];
  /** Largest OTLP body after decompression, in bytes. @default 67108864 (64 MiB) */
  bodyLimit?: number;
  /** Flush a batch at this many rows. @default 20000 */
  batchMaxRows?: number;
  /** Flush a batch after this many milliseconds. @default 25 */
  batchMaxDelayMs?: number;
  /** Project rows are stored under when the request carries no key. @default 'default' */
  defaultProject?: string;
  /** Redacts secrets in stored strings; false turns redaction off. @default the SDK's redactor */
  redact?: ((s: string) => string) | false;
  /** Seconds clients are told to wait after a 503. @default 5 */
  retryAfterSeconds?: number;
  /** Directory for batches the store cannot take right now. @default undefined (such batches get 503) */
  spoolDir?: string;
  /** Spool size cap in bytes; when full, writes get 503. @default 1073741824 (1 GiB) */
  spoolMaxBytes?: number;
  /** An INSERT slower than this counts as an outage and its batch is spooled, in ms. @default 10000 */
  insertTimeoutMs?: number;
  /** API key authentication. @default { mode: 'auto' }: on whenever a key exists */
  auth?: AuthOptions;
  /** Attributes kept per span, longest value stored, and longest id or attribute key kept as sent (longer: stored as `h:` + hash); beyond them rows are marked Truncated. @default 128, 16384 and 256 */
  caps?: { maxAttributes?: number; maxValueLength?: number; maxIdLength?: number };
  /** Timestamp window and per-call bounds; rows outside them are rejected one by one (partial_success). @default see PlausibleOptions */
  plausible?: PlausibleOptions;
  /** Rate limits and back-pressure ceilings. @default see LimitsOptions */
  limits?: Omit<LimitsOptions, 'queuedRows' | 'bodyLimit'>;
  /** Request, header, connection and keep-alive timeouts. @default see TimeoutOptions */
  timeouts?: TimeoutOptions;
  /** Prices of model calls that arrive without a cost (Codex, Gemini CLI, plain GenAI spans); build it once (createPriceTable). @default DEFAULT_PRICES */
  prices?: PriceTable;
  /** Key management at /api/admin/keys, for loopback requests carrying this token. @default undefined (no admin routes) */
  admin?: AdminOptions;
  /** Free-space watermarks on the data and spool filesystems; false turns watching off. @default see DiskSpaceOptions (256 MiB plus the largest partition) */
  diskSpace?: Omit<DiskSpaceOptions, 'spoolDir'> | false;
  /** How long failures keep /healthz degraded and how often the store is probed. @default { failureWindowMs: 30000, probeIntervalMs: 5000 } */
  health?: HealthTrackerOptions & HealthRouteOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    spanWriter: BatchWriter;
    /** Batches waiting in the on-disk spool and batches set aside as unreadable; undefined without a spool. */
    spoolStatus(): { pending: SpoolCounts; quarantined: SpoolCounts } | undefined;
    retryAfterSeconds: number;
    /** The project a request acts on. Authentication replaces the default with the key's project. */
    projectOf(req: FastifyRequest): string;
    normaliseContext(req: FastifyRequest): NormaliseContext;
    sanitiseOptions: SanitiseOptions;
    /** Which rows are believable enough to store (timestamp window, cost and token bounds). */
    plausibility: Plausibility;
    /** True while accepted rows wait to be written: background work (the analyser) yields to ingest. */
    ingestBusy(): boolean;
    /** Why writes are paused (disk space below the low-water mark), or undefined. */
    writesPaused(): string | undefined;
  }
}

/**
 * Builds the ingest app: the OTLP receiver, key checks, limits, health and key
 * administration. It never listens, and answers no queries: @fulcrum/server
 * composes it with the analyser, the git routes, the API and the web app.
 */
export async function buildIngestApp(options: AppOptions): Promise<FastifyInstance> {
  const plausibility = resolvePlausible(options.plausible);
  const redact = options.redact === false ? undefined : (options.redact ?? defaultRedact);
  // A stored session id is at most 256 characters, up to 9 each once percent-encoded; Fastify's default allows 100.
  const app = Fastify({ logger: safeLoggerOptions(options.logger, redact), routerOptions: { maxParamLength: 4096 }, return503OnClosing: false, bodyLimit: options.bodyLimit ?? 64 * 1024 * 1024, ...timeoutServerOptions(options.timeouts) });
  const store = options.store;
  const health = new HealthTracker(options.health);
  app.decorate('health', health);
  const sink = createSpanSink({
    store: storeReportingInserts(store, health),
    spoolDir: options.spoolDir,
    spoolMaxBytes: options.spoolMaxBytes,
    insertTimeoutMs: options.insertTimeoutMs,
    batchMaxRows: options.batchMaxRows,
    batchMaxDelayMs: options.batchMaxDelayMs,
    onStoreError: (err) => {
      // A timed-out INSERT never settles through the store, so the tracker hears of it here.
      health.failed('inserts', `an insert failed: ${err.message}`);
      app.log.warn({ err: err.message }, 'store refused a batch');
    },
    onSpoolWriteError: (err) => app.log.error({ err: err.message }, 'spool could not take a batch; answered 503'),
    onQuarantine: (q) => app.log.warn({ file: q.file, rows: q.rows, bytes: q.bytes, reason: q.reason }, 'spooled batch quarantined'),
  });
  const writer = sink.writer;
  const defaultProject = options.defaultProject ?? 'default';
  app.decorate('store', store);
  app.decorate('spanWriter', writer);
  app.decorate('spoolStatus', () => (sink.spool ? { pending: sink.spool.pendingCounts, quarantined: sink.spool.quarantined } : undefined));
  app.decorate('sanitiseOptions', { redact, ...options.caps } satisfies SanitiseOptions);
  app.decorate('plausibility', plausibility);
  // Fastify's own 404 logs and answers the whole URL, query string included.
  // The path is not quoted back: an answer never echoes the request.
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ message: 'no such route: the API is described at /docs', error: 'Not Found', statusCode: 404 }));
  app.decorate('retryAfterSeconds', options.retryAfterSeconds ?? 5);
  app.decorate('projectOf', (req: FastifyRequest) => req.fulcrumProject || defaultProject);
  // One join cache per app: a harness call's log event and trace span arrive in separate requests.
  const join = new JoinCache();
  const prices = options.prices;
  app.decorate('normaliseContext', (req: FastifyRequest): NormaliseContext => ({ project: app.projectOf(req), redact, join, prices }));
  app.addHook('onClose', async () => sink.close());
  await app.register(otlpHttpPlugin, { bodyLimit: options.bodyLimit });
  await app.register(unreadBodyPlugin);
  await app.register(authPlugin, options.auth ?? {});
  await app.register(limitsPlugin, { ...options.limits, queuedRows: sink.queuedRows, bodyLimit: options.bodyLimit ?? 64 * 1024 * 1024 });
  if (options.diskSpace !== false) await app.register(diskSpacePlugin, { ...options.diskSpace, spoolDir: options.spoolDir });
  await app.register(tracesRoute);
  await app.register(logsRoute);
  await app.register(metricsRoute);
  await app.register(healthRoute, { probeIntervalMs: options.health?.probeIntervalMs });
  if (options.admin) await app.register(adminRoutes, options.admin);
  app.decorate('ingestBusy', () => sink.queuedRows() > 0);
  app.decorate('writesPaused', () => (options.diskSpace !== false && app.diskSpace().low ? 'disk space below the low-water mark' : undefined));
  return app;
}
