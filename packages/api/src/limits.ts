import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import { FulcrumError as IngestError } from '@fulcrum/vocab';

export interface ApiLimitsOptions {
  /** Query API requests per second each project may make, on average; 0 turns the rate limit off. @default 10 */
  requestsPerSecond?: number;
  /** Requests a project may make in a burst above the average. @default 2 × requestsPerSecond */
  burst?: number;
  /** Queries one project may have running at once; more get 429. @default 2 */
  maxConcurrentPerProject?: number;
  /** Queries all projects together may have running at once; more get 503. An embedded store runs one query at a time, so every one queued delays inserts. @default 4 */
  maxConcurrent?: number;
}

interface LimitsPluginOptions extends ApiLimitsOptions {
  /** The project a request counts against. */
  projectOf(req: FastifyRequest): string;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Rate and concurrency limits for the query API, kept apart from ingest's
 * (plugins/limits.ts) so a flood of reports cannot starve writes. A slot is
 * held while the handler runs, that is while its queries run, even when the
 * client has gone: a query does not stop because its caller hung up.
 */
async function apiLimits(app: FastifyInstance, options: LimitsPluginOptions): Promise<void> {
  const rate = options.requestsPerSecond ?? 10;
  const burst = options.burst ?? rate * 2;
  const perProject = options.maxConcurrentPerProject ?? 2;
  const overall = options.maxConcurrent ?? 4;
  if (!(rate >= 0) || !(burst >= 0) || !(perProject >= 1) || !(overall >= 1)) throw new Error('api limits: rates must be non-negative and concurrency at least 1');
  const buckets = new Map<string, Bucket>();
  const running = new Map<string, number>();
  let runningTotal = 0;

  /** Takes a slot for the project, or throws 429 / 503 with Retry-After. */
  function acquire(project: string): () => void {
    if (rate > 0) {
      const now = performance.now();
      const b = buckets.get(project) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
      b.at = now;
      buckets.set(project, b);
      if (b.tokens < 1) throw new IngestError('RATE_LIMITED', `project "${project}" exceeds ${rate} API requests/s`, Math.max(1, Math.ceil((1 - b.tokens) / rate)));
      b.tokens -= 1;
    }
    const mine = running.get(project) ?? 0;
    if (mine >= perProject) throw new IngestError('RATE_LIMITED', `project "${project}" has ${perProject} API queries running`, 1);
    if (runningTotal >= overall) throw new IngestError('OVERLOADED', `${overall} API queries running`, 1);
    running.set(project, mine + 1);
    runningTotal++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      runningTotal--;
      const left = (running.get(project) ?? 1) - 1;
      if (left > 0) running.set(project, left);
      else running.delete(project);
    };
  }

  // Wraps every route registered after this plugin in the same scope.
  app.addHook('onRoute', (route) => {
    const handler = route.handler as (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;
    route.handler = async function limited(this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
      const release = acquire(options.projectOf(req));
      try {
        return await handler.call(this, req, reply);
      } finally {
        release();
      }
    } as RouteHandlerMethod;
  });
}

export const apiLimitsPlugin = fp(apiLimits, { name: 'fulcrum-api-limits', fastify: '5.x' });

/** ClickHouse error types raised when a query passes max_execution_time or max_memory_usage. */
const TOO_EXPENSIVE = new Set(['TIMEOUT_EXCEEDED', 'MEMORY_LIMIT_EXCEEDED', 'TOO_SLOW']);

/**
 * A query the store stopped at a limit, as the API answers it: over its own time or
 * memory limit it would fail again (422, narrow the scope); over the server's total
 * memory it may pass later (503 with Retry-After). Undefined for any other error.
 */
export function queryLimitError(err: unknown, retryAfterSeconds: number): IngestError | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !TOO_EXPENSIVE.has(type)) return undefined;
  const message = (err as Error).message ?? '';
  if (type === 'MEMORY_LIMIT_EXCEEDED' && /\(total\)/.test(message)) return new IngestError('OVERLOADED', 'the store is short of memory', retryAfterSeconds);
  return new IngestError('QUERY_TOO_EXPENSIVE', type === 'MEMORY_LIMIT_EXCEEDED' ? 'it needs more memory than a query may use' : 'it runs longer than a query may');
}
