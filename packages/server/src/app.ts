import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiPlugin, type ApiLimitsOptions, type ApiSettings } from '@fulcrum/api';
import { buildIngestApp, storedSessionId, type AppOptions as IngestAppOptions } from '@fulcrum/ingest';
import { resolveAnalysisConfig, type AnalysisConfig, type WeightOverrides } from '@fulcrum/query';
import { analyserPlugin, type AnalyserOptions } from './analyser.js';
import { gitRoutes } from './git-routes.js';

export interface AppOptions extends IngestAppOptions {
  /** Rate and concurrency limits of the query API (/api/*), apart from ingest's. @default see ApiLimitsOptions */
  apiLimits?: ApiLimitsOptions;
  /** Session analysis: classify each session once it has been quiet; false turns it off (tests, all but one of several instances). @default { analyseAfterMs: 30000 } */
  analysis?: Omit<AnalyserOptions, 'config' | 'ingestBusy'> | false;
  /** Repeat threshold and budgets: the analyser classifies with them and the API's answers use them. @default ANALYSIS_DEFAULTS */
  analysisConfig?: Partial<AnalysisConfig>;
  /** Leverage weights the API's answers use. @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
  /** Repository budget ($ per team window) the API's reports use; the session and team budgets are analysisConfig.runaway's. @default 0 (none) */
  repositoryBudgetUsd?: number;
  /** Outcome views (GET /api/outcomes) withhold a group covering fewer distinct people than this. @default 5 */
  minGroupSize?: number;
  /** Where GET / sends a browser: the web app's address. @default undefined (GET / names the API docs) */
  webAppUrl?: string;
}

/** What the API's answers are computed with, from the server's options. */
export function apiSettingsOf(options: Pick<AppOptions, 'analysisConfig' | 'prices' | 'weights' | 'repositoryBudgetUsd' | 'minGroupSize'>): ApiSettings {
  return { analysis: resolveAnalysisConfig(analysisConfigOf(options)), weights: options.weights, repositoryBudgetUsd: options.repositoryBudgetUsd, minGroupSize: options.minGroupSize };
}

/** One price table for ingest and analysis (what carrying a wasted result costs), unless the analysis names its own. */
const analysisConfigOf = (options: Pick<AppOptions, 'analysisConfig' | 'prices'>) => ({ ...options.analysisConfig, prices: options.analysisConfig?.prices ?? options.prices });

/** The project a request reads: its API key's, or the server's default without keys. */
export const requestProjectOf = (app: FastifyInstance) => (req: FastifyRequest) => ({ project: app.projectOf(req), fromKey: req.fulcrumProject !== '' });

/**
 * The Fulcrum server on one port: the ingest app (OTLP, keys, limits, health),
 * the session analyser, the git routes and the query API with its docs. It
 * never listens: start.ts does, and tests use inject() or port 0.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = await buildIngestApp(options);
  await app.register(gitRoutes);
  await app.register(apiPlugin, {
    store: app.store,
    projectOf: requestProjectOf(app),
    settings: apiSettingsOf(options),
    limits: options.apiLimits,
    sessionIdOf: (id) => storedSessionId(id, app.sanitiseOptions),
    retryAfterSeconds: app.retryAfterSeconds,
  });
  // A browser pointed at the ingest port finds the web app or the API docs, not a 404.
  app.get('/', async (_req, reply) => (options.webAppUrl ? reply.redirect(options.webAppUrl) : { message: 'Fulcrum ingest and query API: POST OTLP to /v1/traces, /v1/logs, /v1/metrics; the API is described at /docs' }));
  if (options.analysis !== false) await app.register(analyserPlugin, { ingestBusy: app.ingestBusy, paused: app.writesPaused, ...options.analysis, config: analysisConfigOf(options) });
  return app;
}
