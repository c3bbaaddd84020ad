import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { parseQueryParams, QueryParamError, resolveAnalysisConfig, type ParsedQuery, type QueryParams } from '@fulcrum/query';
import { answerError, errorBody, FulcrumError, redact, validProjectName } from '@fulcrum/vocab';
import { ENDPOINTS, type ApiSettings, type Endpoint, type EndpointContext } from './endpoints.js';
import { apiLimitsPlugin, queryLimitError, type ApiLimitsOptions } from './limits.js';
import { openApiPlugin } from './openapi.js';
import { routeSchema, SHARED_SCHEMAS } from './schemas.js';

/** Whose data a request may read. */
export interface RequestProject {
  /** The project the request acts on: its API key's, or the server's default without keys. */
  project: string;
  /** True when the project came from an API key. */
  fromKey: boolean;
}

export interface ApiPluginOptions {
  /** The store answers are read from. */
  store: { client: EndpointContext['client'] };
  /** The project a request acts on (the ingest app's authentication decides it). */
  projectOf(req: FastifyRequest): RequestProject;
  /** What answers are computed with. @default ANALYSIS_DEFAULTS, DEFAULT_WEIGHTS, no repository budget, minGroupSize 5 */
  settings?: Partial<ApiSettings>;
  /** Rate and concurrency limits of the query API, apart from ingest's. @default see ApiLimitsOptions */
  limits?: ApiLimitsOptions;
  /** A session id of a path as it is stored (an over-long id is kept as its hash, a secret in it redacted). @default the id as given */
  sessionIdOf?: (id: string) => string;
  /** Seconds a client is told to wait after a 503. @default 5 */
  retryAfterSeconds?: number;
  /** Serve the OpenAPI document at /openapi.json and the docs page at /docs. @default true */
  docs?: boolean;
}

/**
 * A parameter the endpoint does not take is a 400, not silently dropped: a
 * mistyped filter would otherwise answer for everything. Checked before the
 * schema, which strips unknown properties.
 */
function refuseUnknownParams(endpoint: Endpoint, query: unknown): void {
  const unknown = Object.keys((query ?? {}) as object).filter((k) => !(endpoint.params as readonly string[]).includes(k));
  // The unknown name is not quoted back (an answer never echoes request text); the ones it takes are listed.
  if (unknown.length) throw new FulcrumError('BAD_REQUEST', `unknown query parameter; ${endpoint.path} takes ${endpoint.params.join(', ')}`);
}

/** Parameters → scope, for the request's own project only. */
function parse(who: RequestProject, query: QueryParams): ParsedQuery {
  if (query.project && query.project !== who.project) {
    // Said plainly: a key of another project is not a wrong or revoked key. The asked-for name is quoted only when it holds nothing secret-shaped.
    const asked = validProjectName(query.project) && redact(query.project) === query.project ? `"${query.project}"` : 'another project';
    throw new FulcrumError('WRONG_PROJECT', who.fromKey
      ? `the API key is for project "${who.project}", not ${asked}`
      : `without an API key this server answers for project "${who.project}" only, not ${asked}`);
  }
  try {
    return parseQueryParams({ ...query, project: who.project });
  } catch (err) {
    throw asBadRequest(err);
  }
}

/** A parameter the parser or a query refused, as a 400 in words that do not quote the value sent. */
function asBadRequest(err: unknown): unknown {
  if (err instanceof QueryParamError) return new FulcrumError('BAD_REQUEST', err.withoutValue);
  if (err instanceof RangeError) return new FulcrumError('BAD_REQUEST', err.message);
  return err;
}

/** A request the schema refused, in the parser's words: a choice lists the values it takes. The value sent is never echoed. */
function validationError(err: Error & { validation?: { keyword: string; instancePath: string; params: Record<string, unknown> }[] }): FulcrumError {
  const v = err.validation?.[0];
  const param = v?.instancePath.replace(/^\//, '');
  if (v?.keyword === 'enum' && param) return new FulcrumError('BAD_REQUEST', `${param} must be one of ${(v.params.allowedValues as string[]).join(', ')}`);
  return new FulcrumError('BAD_REQUEST', err.message);
}

/**
 * The query API: one route per entry of ENDPOINTS, answering the query
 * package's values as JSON (what the CLI prints with --format json), with
 * the OpenAPI document and its docs page. Errors come from the one
 * catalogue: a store that cannot answer is 503 with Retry-After, anything
 * unexpected 500 with an error id that the log also has.
 */
async function api(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
  if (!options?.store?.client || typeof options.projectOf !== 'function') throw new Error('api plugin: store and projectOf are required');
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  const settings: ApiSettings = { ...options.settings, analysis: options.settings?.analysis ?? resolveAnalysisConfig() };
  const sessionIdOf = options.sessionIdOf ?? ((id: string) => id);
  if (options.docs !== false) await app.register(openApiPlugin);
  await app.register(async (scoped) => {
    for (const s of SHARED_SCHEMAS) scoped.addSchema(s);
    // Before the routes: it wraps each one registered after it.
    await scoped.register(apiLimitsPlugin, { ...options.limits, projectOf: (req: FastifyRequest) => options.projectOf(req).project });
    scoped.setErrorHandler((thrown: Error & { validation?: unknown }, req, reply) => {
      const err = queryLimitError(thrown, retryAfterSeconds) ?? (thrown.validation ? validationError(thrown as Parameters<typeof validationError>[0]) : thrown);
      const answer = answerError(err, { retryAfterSeconds });
      if (answer.status >= 500) req.log.error({ err: thrown, errorId: answer.errorId }, answer.errorId ? 'query failed: unexpected error' : 'query failed: store unavailable');
      if (answer.retryAfterSeconds !== undefined) void reply.header('retry-after', String(answer.retryAfterSeconds));
      return reply.code(answer.status).send(errorBody(answer));
    });
    const ctx: EndpointContext = { client: options.store.client, settings };
    for (const endpoint of Object.values(ENDPOINTS) as Endpoint[]) {
      const preValidation = async (req: FastifyRequest) => refuseUnknownParams(endpoint, req.query);
      scoped.get(endpoint.path, { schema: routeSchema(endpoint), preValidation }, async (req: FastifyRequest, reply: FastifyReply) => {
        const q = parse(options.projectOf(req), req.query as QueryParams);
        const id = (req.params as { id?: string }).id;
        const answer = await endpoint.run(ctx, q, { id: id === undefined ? undefined : sessionIdOf(id) }).catch((err: unknown) => {
          // A parameter only the query can judge (a bucket too fine for the range) is still the request's fault.
          throw err instanceof QueryParamError ? asBadRequest(err) : err;
        });
        if (endpoint.totalHeader && answer.total !== undefined) void reply.header(endpoint.totalHeader, answer.total);
        return answer.data;
      });
    }
  });
}

export const apiPlugin = fp(api, { name: 'fulcrum-query-api', fastify: '5.x' });
