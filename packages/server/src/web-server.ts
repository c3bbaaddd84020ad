import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { apiPlugin, type ApiLimitsOptions, type ApiSettings } from '@fulcrum/api';
import { authPlugin, safeLoggerOptions, timeoutServerOptions, type AuthOptions, type TimeoutOptions } from '@fulcrum/ingest';
import { redact } from '@fulcrum/vocab';
import type { Store } from '@fulcrum/store';
import { webAppPlugin } from '@fulcrum/web';
import { requestProjectOf } from './app.js';

export interface WebServerOptions {
  /** The store the API reads; the caller opens and closes it. */
  store: Store;
  /** API keys, checked as the ingest port checks them. @default { mode: 'auto' } */
  auth?: AuthOptions;
  /** What the API's answers are computed with. */
  settings: ApiSettings;
  /** Limits of this port's query API. @default see ApiLimitsOptions */
  apiLimits?: ApiLimitsOptions;
  /** A session id of a path as it is stored. @default the id as given */
  sessionIdOf?: (id: string) => string;
  /** Project of requests without a key. @default 'default' */
  defaultProject?: string;
  /** Seconds a client is told to wait after a 503. @default 5 */
  retryAfterSeconds?: number;
  /** Fastify logger option (pino). @default false */
  logger?: FastifyServerOptions['logger'];
  /** The built web app. @default the bundle in packages/web/dist/app */
  appDir?: string;
  /** Request, header, connection and keep-alive timeouts, as on the ingest port. @default see TimeoutOptions */
  timeouts?: TimeoutOptions;
}

/**
 * The web app's own port: the app's pages and assets, and the same query API
 * and docs as the ingest port, so the browser asks its own origin (no CORS)
 * and no OTLP endpoint is exposed here. The pages hold no data and need no
 * key; every /api request is checked as on the ingest port.
 */
export async function buildWebServer(options: WebServerOptions): Promise<FastifyInstance> {
  // The ingest port's timeouts, so a client that stops reading cannot hold the server open, and closing ends idle connections.
  const app = Fastify({ logger: safeLoggerOptions(options.logger, redact), return503OnClosing: false, forceCloseConnections: 'idle', ...timeoutServerOptions(options.timeouts) });
  const defaultProject = options.defaultProject ?? 'default';
  app.decorate('store', options.store);
  app.decorate('retryAfterSeconds', options.retryAfterSeconds ?? 5);
  app.decorate('projectOf', (req) => req.fulcrumProject || defaultProject);
  await app.register(authPlugin, { ...options.auth, isPublic: (route) => !route.startsWith('/api/') });
  await app.register(apiPlugin, { store: options.store, projectOf: requestProjectOf(app), settings: options.settings, limits: options.apiLimits, sessionIdOf: options.sessionIdOf, retryAfterSeconds: app.retryAfterSeconds });
  await app.register(webAppPlugin, { appDir: options.appDir });
  return app;
}
