import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { IngestError } from '../errors.js';

export interface LimitsOptions {
  /** Requests per second each project may make, on average. 0 turns rate limiting off. @default 200 */
  requestsPerSecond?: number;
  /** Requests a project may make in a burst above the average. @default 2 × requestsPerSecond */
  burst?: number;
  /** Rows waiting for the store above which new writes get 503. @default 200000 */
  maxQueuedRows?: number;
  /** V8 heap in use above which new writes get 503, in bytes. @default 1610612736 (1.5 GiB) */
  maxHeapBytes?: number;
  /** Reports rows waiting to be written (writer queue plus spool). */
  queuedRows: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Back-pressure before the body is read: a per-project token bucket (429) and
 * queue and heap ceilings (503). Both carry Retry-After, so OTLP clients back
 * off and retry instead of dropping data.
 */
async function limits(app: FastifyInstance, options: LimitsOptions): Promise<void> {
  const rate = options.requestsPerSecond ?? 200;
  const burst = options.burst ?? rate * 2;
  const maxQueued = options.maxQueuedRows ?? 200_000;
  const maxHeap = options.maxHeapBytes ?? 1.5 * 1024 ** 3;
  if (!(rate >= 0) || !(burst >= 0) || !(maxQueued > 0) || !(maxHeap > 0)) throw new Error('limits: rates and ceilings must be non-negative numbers');
  const buckets = new Map<string, Bucket>();

  app.addHook('onRequest', async (req) => {
    if (req.method !== 'POST') return;
    if (options.queuedRows() > maxQueued || process.memoryUsage().heapUsed > maxHeap) {
      throw new IngestError('OVERLOADED', 'too much data waiting for the store', app.retryAfterSeconds);
    }
    if (rate === 0) return;
    const project = app.projectOf(req);
    const now = performance.now();
    const b = buckets.get(project) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(project, b);
    if (b.tokens < 1) throw new IngestError('RATE_LIMITED', `project "${project}" exceeds ${rate} requests/s`, Math.max(1, Math.ceil((1 - b.tokens) / rate)));
    b.tokens -= 1;
  });
}

export const limitsPlugin = fp(limits, { name: 'fulcrum-limits', fastify: '5.x', dependencies: ['fulcrum-otlp-http'] });
