import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

export interface TimeoutOptions {
  /** A request's headers and body must have arrived within this, else 408 and the connection is closed, in ms; 0 turns it off. OTLP exporters give up after 10 s themselves. @default 30000 */
  requestTimeoutMs?: number;
  /** A request's headers must have arrived within this, in ms (at most requestTimeoutMs). @default 10000 */
  headersTimeoutMs?: number;
  /** A connection silent both ways this long is closed (a client that stops reading its answer), in ms; 0 turns it off. Longer than the store's max_execution_time, so a slow query is answered. @default 120000 */
  connectionTimeoutMs?: number;
  /** An idle keep-alive connection waits this long for its next request, in ms. Longer than the 60 s idle timeout of common load balancers. @default 72000 */
  keepAliveTimeoutMs?: number;
}

/** Fastify's server options for the timeouts, so a slow or stalled client (slow-loris) cannot hold a connection open. */
export function timeoutServerOptions(options: TimeoutOptions = {}): Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout'> & { http: ServerOptions } {
  const request = options.requestTimeoutMs ?? 30_000;
  const headersWanted = options.headersTimeoutMs ?? 10_000;
  const headers = request > 0 ? Math.min(headersWanted, request) : headersWanted;
  const connection = options.connectionTimeoutMs ?? 120_000;
  const keepAlive = options.keepAliveTimeoutMs ?? 72_000;
  for (const [name, v] of Object.entries({ request, headers, connection, keepAlive })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`timeouts: ${name} must be a non-negative integer of ms, got ${v}`);
  }
  if (!(headers > 0) || !(keepAlive > 0)) throw new Error('timeouts: headersTimeoutMs and keepAliveTimeoutMs must be positive');
  // Node checks the request and headers timeouts on a timer (30 s by default): check often enough that they hold.
  const checkEvery = Math.max(100, Math.min(1000, Math.floor(Math.min(headers, request || headers) / 4)));
  return {
    requestTimeout: request,
    connectionTimeout: connection,
    keepAliveTimeout: keepAlive,
    http: { headersTimeout: headers, requestTimeout: request, connectionsCheckingInterval: checkEvery },
  };
}
