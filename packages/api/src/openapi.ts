import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Where the document and its page are served. */
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/**
 * The OpenAPI 3.1 document of the query API at /openapi.json, built from the
 * routes' own schemas (named as the result types are), with a bearer security
 * scheme; and /docs, Swagger UI served from its npm package (no CDN).
 */
async function openApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Fulcrum query API', version: '0.1.0', description: 'Sessions, leverage, waste and outcomes of human-agent coding sessions. Every answer is scoped to the project of the API key.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key from `fulcrum keys create`; required once any key exists (or with --auth required)' } } },
      security: [{ bearer: [] }],
      tags: [{ name: 'query', description: 'read-only views of the materialised sessions' }],
    },
    // Shared schemas keep their names (SessionSummary, Report…) instead of def-0, def-1…
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // Only the query API (the routes of ENDPOINTS, tagged query) is documented here; OTLP is specified by OpenTelemetry.
    transform: ({ schema, url }) => ({ schema: { ...schema, hide: schema?.hide || !schema?.tags?.includes('query') }, url }),
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    // validatorUrl null: the page never asks swagger.io to check the document; it works offline.
    // BaseLayout: no top bar (it offers to explore any URL, and shows the plugin's logo).
    uiConfig: { url: OPENAPI_PATH, docExpansion: 'list', deepLinking: true, validatorUrl: null, layout: 'BaseLayout' },
    staticCSP: true,
    // Everything from this server: Swagger UI's default allows styles and fonts from any https origin, and upgrades to https.
    transformStaticCSP: (header) => header
      .replace(/style-src 'self' https:/, "style-src 'self' 'unsafe-inline'")
      .replace(/font-src 'self' https: data:/, "font-src 'self' data:")
      .replace(/ validator\.swagger\.io/, '')
      .replace(/ ?upgrade-insecure-requests;?/, ''),
  });
}

export const openApiPlugin = fp(openApi, { name: 'fulcrum-openapi', fastify: '5.x' });
