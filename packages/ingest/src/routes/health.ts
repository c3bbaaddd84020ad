import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { probeNewestParts } from '@fulcrum/store';
import { publicReason } from '../health-tracker.js';

export interface HealthRouteOptions {
  /** How often a real read of the newest parts probes the store, in ms; 0 turns the probe off. @default 5000 */
  probeIntervalMs?: number;
}

/**
 * GET /healthz: 200 `ok` only when the store answers and nothing is failing;
 * otherwise 503, `unavailable` (the store does not answer a ping) or `degraded`
 * with the reasons: recent inserts or API queries failed, the probe (a real read
 * of the newest parts, where a part broken by a full disk shows up) failed, or a
 * watched filesystem is below its low-water mark.
 *
 * It is public, so it names no path and no host: the store's location is shown
 * only to a request presenting a valid API key. With auth off no key is valid and
 * the location is never shown (the server logs it at start).
 */
async function health(app: FastifyInstance, options: HealthRouteOptions): Promise<void> {
  const probeMs = options.probeIntervalMs ?? 5000;
  if (!(probeMs >= 0)) throw new Error(`health: probeIntervalMs must be a non-negative number, got ${probeMs}`);
  let detachedParts: number | undefined;
  let probing: Promise<void> | undefined;
  const probe = (): Promise<void> => (probing ??= probeOnce().finally(() => (probing = undefined)));
  const probeOnce = async () => {
    try {
      detachedParts = (await probeNewestParts(app.store.client)).detachedParts;
      app.health.succeeded('probe');
    } catch (err) {
      const reason = `reading the newest parts failed: ${(err as Error).message}`;
      app.health.failed('probe', reason);
      app.log.warn({ err: (err as Error).message }, 'health probe: the store could not read its newest parts');
    }
  };
  if (probeMs > 0) {
    const timer = setInterval(() => void probe(), probeMs);
    timer.unref();
    // A query still running when the store closes crashes chDB: wait for it.
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await probing;
    });
    app.addHook('onReady', async () => void probe());
  }
  // API answers are queries: a 5xx there is a failed query, anything else a working one.
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '';
    if (!route.startsWith('/api/') || route.startsWith('/api/admin/')) return;
    if (reply.statusCode >= 500 && reply.statusCode !== 503) app.health.failed('queries', `an API query failed with ${reply.statusCode}`);
    else if (reply.statusCode < 500) app.health.succeeded('queries');
  });

  app.get('/healthz', async (req, reply) => {
    let reachable = false;
    let error: string | undefined;
    try {
      reachable = await app.store.ping();
    } catch (err) {
      error = (err as Error).message;
    }
    const problems = app.health.problems();
    const status = !reachable ? 'unavailable' : problems.length > 0 ? 'degraded' : 'ok';
    const keyHolder = presentsValidKey(app, req);
    const disk = app.hasDecorator('diskSpace') ? app.diskSpace() : undefined;
    const spool = app.spoolStatus();
    // Set-aside batches need an operator, not a restart: reported loudly, without a 503.
    const notices = spool && spool.quarantined.batches > 0
      ? [`spool: ${spool.quarantined.batches} unreadable batch(es) holding ${spool.quarantined.rows} rows were set aside in the spool's quarantine folder`]
      : [];
    return reply.code(status === 'ok' ? 200 : 503).send({
      status,
      reasons: [...(reachable ? [] : ['the store does not answer']), ...problems.map((p) => `${p.check}: ${p.reason}`)],
      problems,
      notices,
      store: {
        kind: app.store.kind,
        ...(keyHolder ? { location: app.store.location } : {}),
        reachable,
        ...(error ? { error: keyHolder ? error : withoutHosts(publicReason(error)) } : {}),
      },
      ...(disk ? { disk } : {}),
      // null until the first probe has run (or with the probe off).
      detachedParts: detachedParts ?? null,
      queuedRows: app.spanWriter.queued,
      ...(spool ? { spool } : {}),
    });
  });
}

/** Not encapsulated: its onResponse hook watches the API routes registered beside it. */
export const healthRoute = fp(health, { name: 'fulcrum-health', fastify: '5.x' });

function presentsValidKey(app: FastifyInstance, req: FastifyRequest): boolean {
  return app.hasDecorator('checkPresentedKey') && app.checkPresentedKey(req).status === 'valid';
}

/** `connect ECONNREFUSED 10.0.0.5:8123` names a host; the public answer keeps the cause only. */
function withoutHosts(message: string): string {
  return message.replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<host>').replace(/\[[0-9a-f:]+\](?::\d+)?/gi, '<host>').replace(/\b[\w.-]+\.[a-z]{2,}:\d+\b/gi, '<host>');
}
