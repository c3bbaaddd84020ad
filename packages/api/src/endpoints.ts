import {
  buildReport, getSession, leverageByGroup, listSessionPage, outcomesByGroup, spendTimeseries, wasteHotspots,
  type AnalysisConfig, type Client, type ParsedQuery, type WeightOverrides,
} from '@fulcrum/query';
import { FulcrumError } from '@fulcrum/vocab';
import { BUDGET_PARAM_NAMES, SCOPE_PARAMS, WEIGHT_PARAM_NAMES, type ParamName } from './params.js';

/** What an answer is computed with besides its parameters: the server's settings, or the CLI's config file. */
export interface ApiSettings {
  /** Repeat threshold, budgets and prices in force. */
  analysis: AnalysisConfig;
  /** Leverage weights; a request's weight.* parameters override them. @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
  /** Repository budget ($ per team window); the session and team budgets are analysis.runaway's. @default 0 (none) */
  repositoryBudgetUsd?: number;
  /** Outcome views withhold a group covering fewer distinct people than this. @default 5 */
  minGroupSize?: number;
}

export interface EndpointContext {
  client: Client;
  settings: ApiSettings;
}

/** An endpoint's answer: the JSON body, and for a list how many items are in scope beyond the page. */
export interface EndpointAnswer {
  data: unknown;
  total?: number;
}

export interface Endpoint {
  /** The route, in Fastify's syntax (`:id` for a path parameter). */
  path: string;
  summary: string;
  /** The query parameters it takes. */
  params: readonly ParamName[];
  /** The result type it answers with: a schema of packages/api/src/generated/schemas.ts. */
  response: { type: string; list?: boolean };
  /** A response header and what it carries. */
  totalHeader?: string;
  run(ctx: EndpointContext, q: ParsedQuery, pathParams: { id?: string }): Promise<EndpointAnswer>;
}

/** The weights an answer uses: the settings', then the request's weight.* parameters. */
const weightsOf = (ctx: EndpointContext, q: ParsedQuery) => (q.weights ? { ...ctx.settings.weights, ...q.weights } : ctx.settings.weights);

/** Response header of GET /api/sessions: sessions in scope before limit and offset, so a client can say "showing 51–100 of 184". */
export const TOTAL_HEADER = 'X-Total-Count';

const FILTERS = SCOPE_PARAMS;

/**
 * Every endpoint of the query API, once: the Fastify routes (routes.ts), the
 * OpenAPI document and the CLI's local backend are all built from this table,
 * so an answer is computed the same way whoever asks.
 */
export const ENDPOINTS = {
  sessions: {
    path: '/api/sessions',
    summary: 'Sessions with spend, tokens, calls, failures, leverage and waste, one page at a time',
    params: [...FILTERS, 'sort', 'order', 'limit', 'offset', ...WEIGHT_PARAM_NAMES],
    response: { type: 'SessionSummary', list: true },
    totalHeader: TOTAL_HEADER,
    async run(ctx, q) {
      const page = await listSessionPage(ctx.client, q.scope, { sort: q.sort, order: q.order, limit: q.limit, offset: q.offset, weights: weightsOf(ctx, q) });
      return { data: page.sessions, total: page.total };
    },
  },
  session: {
    path: '/api/sessions/:id',
    summary: 'One session as a span tree with waste marked inline, and its findings',
    params: [...FILTERS, 'minRepeat'],
    response: { type: 'SessionDetail' },
    async run(ctx, q, { id }) {
      const detail = await getSession(ctx.client, { ...q.scope, sessionId: id ?? '' }, { minRepeat: q.minRepeat ?? ctx.settings.analysis.minRepeat, prices: ctx.settings.analysis.prices });
      // The id is not quoted back: an answer never echoes request text.
      if (!detail) throw new FulcrumError('NOT_FOUND', `no such session in project "${q.scope.project}"`);
      return { data: detail };
    },
  },
  report: {
    path: '/api/reports/waste',
    summary: 'Spend, leverage, waste by category, spend over budget, worst sessions and runaway signals',
    params: [...FILTERS, 'by', 'worst', ...BUDGET_PARAM_NAMES, ...WEIGHT_PARAM_NAMES],
    response: { type: 'Report' },
    async run(ctx, q) {
      const s = ctx.settings;
      const budgets = { repositoryUsd: s.repositoryBudgetUsd, ...q.budgets };
      return { data: await buildReport(ctx.client, q.scope, { by: q.by === 'all' ? undefined : q.by, worstSessions: q.worst, weights: weightsOf(ctx, q), runaway: s.analysis.runaway, budgets, minGroupSize: s.minGroupSize }) };
    },
  },
  hotspots: {
    path: '/api/reports/waste/hotspots',
    summary: 'The 10 most wasted files and commands, by $, on known evidence',
    params: [...FILTERS],
    response: { type: 'WasteHotspots' },
    async run(ctx, q) {
      return { data: await wasteHotspots(ctx.client, q.scope) };
    },
  },
  leverage: {
    path: '/api/leverage',
    summary: 'Leverage in total and by team, repository, harness or use case',
    params: [...FILTERS, 'by', ...WEIGHT_PARAM_NAMES],
    response: { type: 'LeverageResult' },
    async run(ctx, q) {
      return { data: await leverageByGroup(ctx.client, q.scope, { by: q.by, weights: weightsOf(ctx, q) }) };
    },
  },
  timeseries: {
    path: '/api/timeseries',
    summary: 'Spend, waste, tokens, leverage and prevented spend per time bucket, in total or by team, repository, harness or use case',
    params: [...FILTERS, 'by', 'bucket', ...WEIGHT_PARAM_NAMES],
    response: { type: 'Timeseries' },
    async run(ctx, q) {
      return { data: await spendTimeseries(ctx.client, q.scope, { by: q.by, bucketSeconds: q.bucketSeconds, weights: weightsOf(ctx, q) }) };
    },
  },
  outcomes: {
    path: '/api/outcomes',
    summary: 'What landed: commits, landed lines, landing, revert and survival rates, cost per accepted change, abandoned spend, landed leverage; groups of fewer people than privacy.minGroupSize withheld',
    params: [...FILTERS, 'by', ...WEIGHT_PARAM_NAMES],
    response: { type: 'OutcomesResult' },
    async run(ctx, q) {
      if (q.by === 'user') throw new FulcrumError('BAD_REQUEST', 'outcomes are never shown per person: by is one of all, team, repository, harness, use-case');
      return { data: await outcomesByGroup(ctx.client, q.scope, { by: q.by, weights: weightsOf(ctx, q), minGroupSize: ctx.settings.minGroupSize }) };
    },
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof ENDPOINTS;
