import { buildApp, startServer, type RunningServer } from '@fulcrum/server';
import type { FastifyInstance } from 'fastify';
import { tempDataDir } from '../helpers/store.js';
import { send, type SessionSpec } from './fixtures.js';

/** A running server whose store holds the given sessions, analysed, and an app per other project on the same store. */
export interface Seeded {
  server: RunningServer;
  client: RunningServer['app']['store']['client'];
  close(): Promise<void>;
}

/**
 * Sends each project's sessions over OTLP/HTTP (project 'default' to the
 * server, any other to an app of its own on the same store), then runs the
 * engine once over everything: the path real sessions take.
 */
export async function seed(projects: Record<string, SessionSpec[]>): Promise<Seeded> {
  const server = await startServer({ port: 0, webPort: false, store: { dataDir: tempDataDir() } });
  const others: FastifyInstance[] = [];
  for (const [project, sessions] of Object.entries(projects)) {
    if (project === 'default') {
      await send(server.url, sessions);
      continue;
    }
    const app = await buildApp({ store: server.app.store, defaultProject: project, analysis: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    others.push(app);
    await send(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`, sessions);
    await app.spanWriter.flush();
  }
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
  return {
    server,
    client: server.app.store.client,
    close: async () => {
      for (const app of others) await app.close();
      await server.close();
    },
  };
}
