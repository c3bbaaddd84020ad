import type { FastifyInstance } from 'fastify';

/** GET /healthz: 200 when the store answers, 503 when it does not. */
export async function healthRoute(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_req, reply) => {
    let ok = false;
    let error: string | undefined;
    try {
      ok = await app.store.ping();
    } catch (err) {
      error = (err as Error).message;
    }
    return reply.code(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'unavailable',
      store: { kind: app.store.kind, location: app.store.location, reachable: ok, ...(error ? { error } : {}) },
      queuedRows: app.spanWriter.queued,
    });
  });
}
