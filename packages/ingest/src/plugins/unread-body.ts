import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * A request answered before its body arrived (401, 403, 429, 503 from onRequest,
 * or a body cut off) closes its connection once the answer is sent. Otherwise
 * Node reads and discards the rest of the body to keep the connection alive, so
 * a client without a key could still make the server take gigabytes. 401 closes
 * always: a client without a valid key gets no connection to reuse.
 */
async function unreadBody(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (req, reply) => {
    if (reply.statusCode === 401 || !req.raw.complete) void reply.header('connection', 'close');
  });
}

export const unreadBodyPlugin = fp(unreadBody, { name: 'fulcrum-unread-body', fastify: '5.x' });
