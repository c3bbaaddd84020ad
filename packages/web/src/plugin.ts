import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_APP_DIR, readAppFiles, type AppFile } from './app-files.js';

export interface WebAppOptions {
  /** Directory holding the built app (index.html and assets/). @default the bundle in packages/web/dist/app */
  appDir?: string;
}

/**
 * The paths the app answers with index.html, so a deep link or a reload shows the
 * same view (the browser routes by the History API). Everything else, /api/*,
 * /openapi.json, /docs, /healthz and /v1/*, stays with the routes that own it.
 */
export const WEB_UI_ROUTES = ['/', '/sessions', '/sessions/*', '/waste', '/leverage', '/outcomes'] as const;

/** Hashed file names never change content: a year, immutable. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
/** The page names the current hashes, so it is checked on every load. */
const PAGE_CACHE = 'no-cache';
/**
 * Same origin only: the app loads nothing from elsewhere and talks to this server alone, and runs no inline
 * script. Inline styles are allowed: uPlot and the span list position elements with style attributes.
 */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const acceptsGzip = (req: FastifyRequest) => /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));

function send(req: FastifyRequest, reply: FastifyReply, file: AppFile, cacheControl: string, etag: string) {
  void reply.header('content-type', file.contentType).header('cache-control', cacheControl).header('etag', etag).header('x-content-type-options', 'nosniff');
  if (file.gzip) void reply.header('vary', 'accept-encoding');
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  if (file.gzip && acceptsGzip(req)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

const etagOf = (file: AppFile) => `"${createHash('sha256').update(file.body).digest('base64url').slice(0, 22)}"`;

async function webApp(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  // Read once: serving is a lookup in memory, and a missing build fails the start, not the first visitor.
  const files = readAppFiles(options.appDir ?? DEFAULT_APP_DIR);
  const indexTag = etagOf(files.index);
  const assetTags = new Map([...files.assets].map(([name, f]) => [name, etagOf(f)]));
  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('referrer-policy', 'no-referrer');
    return send(req, reply, files.index, PAGE_CACHE, indexTag);
  };
  for (const url of WEB_UI_ROUTES) app.get(url, page);
  app.get('/assets/*', async (req, reply) => {
    const name = (req.params as { '*': string })['*'];
    const file = files.assets.get(name);
    if (!file) return reply.code(404).header('cache-control', 'no-store').send({ error: { code: 'NOT_FOUND', message: 'no such asset: the app may have been rebuilt, reload the page' } });
    return send(req, reply, file, ASSET_CACHE, assetTags.get(name)!);
  });
}

/** Serves the built web app: its pages at WEB_UI_ROUTES and its files at /assets/*. */
export const webAppPlugin = fp(webApp, { name: 'fulcrum-web-app', fastify: '5.x' });
