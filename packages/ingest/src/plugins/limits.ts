import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { IngestError } from '../errors.js';
import { InFlightBytes, memoryLimitBytes, PressureSampler, type BodyLedger, type PressureSample } from './pressure.js';

export interface LimitsOptions {
  /** Requests per second each project may make, on average. 0 turns rate limiting off. @default 200 */
  requestsPerSecond?: number;
  /** Requests a project may make in a burst above the average. @default 2 × requestsPerSecond */
  burst?: number;
  /** Rows waiting for the store above which new writes get 503. @default 200000 */
  maxQueuedRows?: number;
  /** Request body bytes (after decompression) being received or still held, above which new writes get 503 and a body that would pass it is cut off with 503. One body is always let in. A 57 MB body was measured to cost ~1.5 GiB of RSS at its peak (mostly the store's insert), hence the low default. @default 67108864 (64 MiB) */
  maxInFlightBodyBytes?: number;
  /** Resident memory (sampled) above which new writes get 503, in bytes; 0 turns the check off. @default 75% of the memory limit (the cgroup limit in a container, else the machine's memory) */
  maxRssBytes?: number;
  /** V8 heap in use (sampled) above which new writes get 503, in bytes; 0 turns the check off. @default 1610612736 (1.5 GiB) */
  maxHeapBytes?: number;
  /** Mean event-loop delay (sampled) above which new writes get 503, in ms; 0 turns the check off. @default 0 */
  maxEventLoopDelayMs?: number;
  /** How often memory and event-loop delay are sampled, in ms. @default 1000 */
  sampleIntervalMs?: number;
  /** Reports rows waiting to be written (writer queue plus spool). */
  queuedRows: () => number;
  /** The app's body limit: a declared length over it is left to the 413. @default Infinity */
  bodyLimit?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The last pressure sample and the body bytes in flight, for /healthz and tests. */
    resourcePressure(): PressureSample & { inFlightBodyBytes: number };
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

const LEDGER = Symbol('fulcrum.bodyLedger');
type Counted = FastifyRequest & { [LEDGER]?: BodyLedger };

/** Counts the bytes that pass and cuts the body off (503) once the ledger's total passes the ceiling. */
class CountingStream extends Transform {
  constructor(private readonly source: NodeJS.ReadableStream & { receivedEncodedLength?: number }, private readonly onBytes: (n: number) => IngestError | undefined) {
    super();
  }

  /** Fastify's zip-bomb check reads the compressed size from the stream it is given. */
  get receivedEncodedLength(): number | undefined {
    return this.source.receivedEncodedLength;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const refused = this.onBytes(chunk.length);
    if (refused) done(refused);
    else done(null, chunk);
  }
}

/**
 * Back-pressure, checked before a body is read and while it is read:
 * - a per-project token bucket (429);
 * - ceilings (503) on rows queued for the store, on body bytes in flight (counted
 *   as they arrive, after decompression, released when the response is done), and on
 *   resident memory, heap and event-loop delay sampled on a timer.
 * Both answers carry Retry-After, so OTLP clients back off and retry instead of dropping data.
 */
async function limits(app: FastifyInstance, options: LimitsOptions): Promise<void> {
  const rate = options.requestsPerSecond ?? 200;
  const burst = options.burst ?? rate * 2;
  const maxQueued = options.maxQueuedRows ?? 200_000;
  const maxInFlight = options.maxInFlightBodyBytes ?? 64 * 1024 ** 2;
  const maxRss = options.maxRssBytes ?? Math.floor(0.75 * memoryLimitBytes());
  const maxHeap = options.maxHeapBytes ?? 1.5 * 1024 ** 3;
  const maxDelay = options.maxEventLoopDelayMs ?? 0;
  const numbers = [rate, burst, maxQueued, maxInFlight, maxRss, maxHeap, maxDelay];
  if (!numbers.every((n) => n >= 0) || !(maxQueued > 0) || !(maxInFlight > 0)) throw new Error('limits: rates and ceilings must be non-negative numbers');
  const sampler = new PressureSampler(options.sampleIntervalMs ?? 1000);
  app.addHook('onClose', async () => sampler.close());
  const inFlight = new InFlightBytes();
  app.decorate('resourcePressure', () => ({ ...sampler.last, inFlightBodyBytes: inFlight.bytes }));
  const bodyLimit = options.bodyLimit ?? Infinity;
  const buckets = new Map<string, Bucket>();
  const overloaded = (what: string) => new IngestError('OVERLOADED', what, app.retryAfterSeconds);

  /** Why the server cannot take another body now, if it cannot. */
  function pressure(reserve: number): string | undefined {
    if (options.queuedRows() > maxQueued) return 'too much data waiting for the store';
    // One body is always let in, so a body under bodyLimit is never refused forever by a smaller ceiling.
    if (inFlight.bytes > 0 && inFlight.bytes + reserve > maxInFlight) return 'too many request bytes in flight';
    const s = sampler.last;
    if (maxRss > 0 && s.rssBytes > maxRss) return 'memory use over the ceiling';
    if (maxHeap > 0 && s.heapUsedBytes > maxHeap) return 'heap use over the ceiling';
    if (maxDelay > 0 && s.eventLoopDelayMs > maxDelay) return 'event loop delayed';
    return undefined;
  }

  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST') return;
    // Content-Length is the compressed size for an encoded body: a lower bound of what will arrive.
    // One over the body limit is left to Fastify's 413 (retrying it cannot help, unlike a 503).
    const declared = Number(req.headers['content-length']);
    const reserve = Number.isFinite(declared) && declared > 0 && declared <= bodyLimit ? declared : 0;
    const why = pressure(reserve);
    if (why) throw overloaded(why);
    if (rate > 0) {
      const project = app.projectOf(req);
      const now = performance.now();
      const b = buckets.get(project) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
      b.at = now;
      buckets.set(project, b);
      if (b.tokens < 1) throw new IngestError('RATE_LIMITED', `project "${project}" exceeds ${rate} requests/s`, Math.max(1, Math.ceil((1 - b.tokens) / rate)));
      b.tokens -= 1;
    }
    const ledger = inFlight.open(reserve);
    (req as Counted)[LEDGER] = ledger;
    // 'close' comes once the response is done or the connection is gone, whichever way the request ended.
    reply.raw.once('close', ledger.release);
  });

  // Registered after otlp-http's preParsing, so the stream counted here is the decompressed one.
  app.addHook('preParsing', async (req, _reply, payload) => {
    const ledger = (req as Counted)[LEDGER];
    if (!ledger) return payload;
    const counting = new CountingStream(payload, (n) => {
      ledger.add(n);
      // The body that pushes past the ceiling is cut off, unless it is the only one (see pressure()).
      return inFlight.bytes > maxInFlight && inFlight.bytes > ledger.bytes ? overloaded('too many request bytes in flight') : undefined;
    });
    payload.on('error', (err) => counting.destroy(err));
    return payload.pipe(counting);
  });
}

export const limitsPlugin = fp(limits, { name: 'fulcrum-limits', fastify: '5.x', dependencies: ['fulcrum-otlp-http'] });
