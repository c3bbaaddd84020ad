import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { buildReport, getSession, leverageByGroup, listSessionPage, outcomesByGroup, parseQueryParams, QueryParamError, type ParsedQuery, type QueryParams } from '@fulcrum/query';
import { ERRORS, IngestError, type ErrorName } from '../../errors.js';
import { validProjectName } from '../../auth/keys.js';
import { redact } from '@fulcrum/vocab';
import { storedSessionId } from '../../normalise/sanitise.js';
import { apiLimitsPlugin, queryLimitError, type ApiLimitsOptions } from '../../plugins/api-limits.js';
import { errorSchema, leverageSchema, outcomesSchema, reportSchema, scopeQuery, SHARED_SCHEMAS, sessionDetailSchema, sessionListSchema, TOTAL_HEADER } from './schemas.js';

/** Query parameters → scope, for the request's own project only. */
function parse(app: FastifyInstance, req: FastifyRequest): ParsedQuery {
  const q = req.query as QueryParams;
  const project = app.projectOf(req);
  if (q.project && q.project !== project) {
    // Said plainly: a key of another project is not a wrong or revoked key.
    // The asked-for name is quoted back only when it is a project name that holds nothing secret-shaped: an answer never echoes request text.
    const asked = validProjectName(q.project) && redact(q.project) === q.project ? `"${q.project}"` : 'another project';
    throw new IngestError('WRONG_PROJECT', req.fulcrumProject
      ? `the API key is for project "${project}", not ${asked}`
      : `without an API key this server answers for project "${project}" only, not ${asked}`);
  }
  try {
    return parseQueryParams({ ...q, project });
  } catch (err) {
    if (err instanceof QueryParamError) throw new IngestError('BAD_REQUEST', err.withoutValue);
    if (err instanceof RangeError) throw new IngestError('BAD_REQUEST', err.message);
    throw err;
  }
}

/** A request the schema refused, in the parser's words: a choice lists the values it takes. The value sent is never echoed. */
function validationMessage(err: Error & { validation?: { keyword: string; instancePath: string; params: Record<string, unknown>; data?: unknown }[] }): string {
  const v = err.validation?.[0];
  const param = v?.instancePath.replace(/^\//, '');
  if (v?.keyword === 'enum' && param) {
    return `${ERRORS.BAD_REQUEST.message}: ${param} must be one of ${(v.params.allowedValues as string[]).join(', ')}`;
  }
  return `${ERRORS.BAD_REQUEST.message}: ${err.message}`;
}

/** The weights an answer uses: the server's, then the request's weight.* parameters. */
const weightsOf = (app: FastifyInstance, p: ParsedQuery) => (p.weights ? { ...app.readSettings.weights, ...p.weights } : app.readSettings.weights);

/** The budgets a report uses: the server's (analysis budgets, repository budget), then the request's *BudgetUsd parameters. */
const budgetsOf = (app: FastifyInstance, p: ParsedQuery) => ({ repositoryUsd: app.readSettings.repositoryBudgetUsd, ...p.budgets });

const responses = (ok: object) => ({ 200: ok, 400: errorSchema, 403: errorSchema, 404: errorSchema, 422: errorSchema, 429: errorSchema, 503: errorSchema });

/**
 * GET /api/sessions, /api/sessions/:id, /api/reports/waste, /api/leverage and
 * the OpenAPI document at /docs. The answers are the query package's values as
 * JSON, the same the CLI prints with --format json, so the CLI can ask a
 * running server instead of opening the store it holds.
 */
async function api(app: FastifyInstance, options: { limits?: ApiLimitsOptions }): Promise<void> {
  await app.register(swagger, {
    openapi: { info: { title: 'Fulcrum query API', version: '0.1.0', description: 'Sessions, leverage and waste of human-agent coding sessions.' } },
  });
  await app.register(async (scoped) => {
    for (const s of SHARED_SCHEMAS) scoped.addSchema(s);
    // Before the routes: it wraps each one registered after it.
    await scoped.register(apiLimitsPlugin, options.limits ?? {});
    scoped.setErrorHandler((thrown: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
      const err: Error & { statusCode?: number; validation?: unknown } = queryLimitError(thrown, scoped.retryAfterSeconds) ?? thrown;
      const name: ErrorName = err instanceof IngestError ? err.errorName : err.validation ? 'BAD_REQUEST' : 'STORE_UNAVAILABLE';
      if (name === 'STORE_UNAVAILABLE') req.log.error({ err }, 'query failed');
      const message = err instanceof IngestError ? err.message : err.validation ? validationMessage(err as Parameters<typeof validationMessage>[0]) : ERRORS[name].message;
      const retryAfter = err instanceof IngestError ? err.retryAfterSeconds : name === 'STORE_UNAVAILABLE' ? scoped.retryAfterSeconds : undefined;
      if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
      return reply.code(ERRORS[name].status).send({ error: { code: name, message } });
    });
    const client = () => scoped.store.client;
    scoped.get('/api/sessions', { schema: { summary: 'Sessions with spend, tokens, calls, failures, leverage and waste', querystring: scopeQuery, response: responses(sessionListSchema) } }, async (req, reply) => {
      const p = parse(scoped, req);
      const page = await listSessionPage(client(), p.scope, { sort: p.sort, limit: p.limit, weights: weightsOf(scoped, p) });
      void reply.header(TOTAL_HEADER, page.total);
      return page.sessions;
    });
    scoped.get('/api/sessions/:id', { schema: { summary: 'One session as a span tree with waste marked inline', params: { type: 'object', properties: { id: { type: 'string', minLength: 1 } } }, querystring: scopeQuery, response: responses(sessionDetailSchema) } }, async (req) => {
      const p = parse(scoped, req);
      const id = (req.params as { id: string }).id;
      // Looked up as stored: an id over the cap was kept as its hash, a secret in it redacted.
      const detail = await getSession(client(), { ...p.scope, sessionId: storedSessionId(id, scoped.sanitiseOptions) }, { minRepeat: p.minRepeat ?? scoped.readSettings.analysis.minRepeat, prices: scoped.readSettings.analysis.prices });
      if (!detail) throw new IngestError('NOT_FOUND', `no such session in project "${p.scope.project}"`);
      return detail;
    });
    scoped.get('/api/reports/waste', { schema: { summary: 'Spend, leverage, waste by category, spend over budget, worst sessions and runaway signals', querystring: scopeQuery, response: responses(reportSchema) } }, async (req) => {
      const p = parse(scoped, req);
      return buildReport(client(), p.scope, { by: p.by === 'all' ? undefined : p.by, worstSessions: p.worst, weights: weightsOf(scoped, p), runaway: scoped.readSettings.analysis.runaway, budgets: budgetsOf(scoped, p), minGroupSize: scoped.readSettings.minGroupSize });
    });
    scoped.get('/api/leverage', { schema: { summary: 'Leverage in total and by team, repository, harness or use case', querystring: scopeQuery, response: responses(leverageSchema) } }, async (req) => {
      const p = parse(scoped, req);
      return leverageByGroup(client(), p.scope, { by: p.by, weights: weightsOf(scoped, p) });
    });
    scoped.get('/api/outcomes', { schema: { summary: 'What landed: commits, landed lines, landing, revert and survival rates, cost per accepted change, abandoned spend, landed leverage; groups of fewer people than privacy.minGroupSize withheld', querystring: scopeQuery, response: responses(outcomesSchema) } }, async (req) => {
      const p = parse(scoped, req);
      if (p.by === 'user') throw new IngestError('BAD_REQUEST', 'outcomes are never shown per person: by is one of all, team, repository, harness, use-case');
      return outcomesByGroup(client(), p.scope, { by: p.by, weights: weightsOf(scoped, p), minGroupSize: scoped.readSettings.minGroupSize });
    });
  });
  app.get('/docs', { schema: { hide: true } }, async () => app.swagger());
}

export const apiRoutes = fp(api, { name: 'fulcrum-query-api', fastify: '5.x' });
