import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { analysePending, resolveAnalysisConfig, type AnalyseResult, type AnalysisConfig } from '@fulcrum/query';

export interface AnalyserOptions {
  /** Classify a session once it has received spans and then been quiet this long, in ms. @default 30000 */
  analyseAfterMs?: number;
  /** How often to look for sessions gone quiet, in ms. @default analyseAfterMs / 2, between 100 and 5000 */
  pollMs?: number;
  /** Repeat threshold and budgets the classifier uses. @default ANALYSIS_DEFAULTS */
  config?: Partial<AnalysisConfig>;
  /** Whether ingest has rows waiting to be written; while it does, analysis yields. @default never busy */
  ingestBusy?: () => boolean;
  /** Why polls should write nothing now (the data filesystem below low-water), or undefined. A paused poll analyses nothing; runNow still runs. @default never paused */
  paused?: () => string | undefined;
  /** Share of the time analysis may take while ingest is busy (it sleeps between batches to keep to it). @default 0.1 */
  busyShare?: number;
  /** Sessions classified per batch (the unit analysis yields between). @default 100 */
  batchSessions?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    analyser: {
      /** Analyses every pending session quiet for `quietMs` (default: the configured delay) now. */
      runNow(quietMs?: number): Promise<AnalyseResult>;
      /** Sessions analysed since the app started. */
      readonly analysed: number;
    };
  }
}

/**
 * Classifies each session once it has been quiet for analyseAfterMs, and again
 * when late spans arrive. Which sessions are pending lives in the store
 * (session_activity against session_summaries), not in memory, so sessions
 * left pending by a crash or restart are analysed by the first poll after it.
 * One run at a time; a failed run is logged and retried at the next poll.
 */
async function analyser(app: FastifyInstance, options: AnalyserOptions): Promise<void> {
  const quietMs = options.analyseAfterMs ?? 30_000;
  if (!Number.isFinite(quietMs) || quietMs < 0) throw new Error(`analyser: analyseAfterMs must be a non-negative number of ms, got ${quietMs}`);
  const pollMs = options.pollMs ?? Math.min(5000, Math.max(100, quietMs / 2));
  if (!(pollMs > 0)) throw new Error(`analyser: pollMs must be positive, got ${pollMs}`);
  const config = resolveAnalysisConfig(options.config);
  const busyShare = options.busyShare ?? 0.1;
  if (!(busyShare > 0 && busyShare <= 1)) throw new Error(`analyser: busyShare must be in (0, 1], got ${busyShare}`);
  const ingestBusy = options.ingestBusy ?? (() => false);
  // Ingest comes first: while rows wait to be written, each batch of analysis is followed by a pause
  // that keeps analysis to busyShare of the time. It still keeps up: the classifier runs many times
  // faster than ingest, so a tenth of the time covers what a saturated ingest takes in.
  const pace = async (batchMs: number) => {
    if (!closed && ingestBusy()) await new Promise((r) => setTimeout(r, (batchMs * (1 - busyShare)) / busyShare));
  };
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let analysed = 0;

  // Runs are chained, one at a time: a poll and a runNow never analyse side by side.
  let chain: Promise<unknown> = Promise.resolve();
  const run = (quiet = quietMs): Promise<AnalyseResult> => {
    const next = chain.then(() => analysePending(app.store, { quietMs: quiet, config, pace, batchSessions: options.batchSessions ?? 100 }));
    chain = next.catch(() => undefined);
    return next.then((r) => {
      analysed += r.sessions;
      if (r.sessions > 0) app.log.debug({ sessions: r.sessions, spans: r.spans, wastedSpans: r.wastedSpans }, 'analysed sessions');
      return r;
    });
  };

  const tick = async () => {
    timer = undefined;
    const pausedBecause = options.paused?.();
    try {
      // Analysis writes rows too: below low-water it waits, so ingest keeps the space that is left.
      if (pausedBecause) app.log.debug({ reason: pausedBecause }, 'session analysis paused');
      else await run();
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'session analysis failed; retrying at the next poll');
    }
    if (!closed) timer = setTimeout(tick, pollMs).unref();
  };

  app.decorate('analyser', {
    runNow: (quiet?: number) => run(quiet),
    get analysed() {
      return analysed;
    },
  });
  app.addHook('onReady', async () => {
    timer = setTimeout(tick, 0).unref();
  });
  app.addHook('onClose', async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    await chain;
  });
}

export const analyserPlugin = fp(analyser, { name: 'fulcrum-analyser', fastify: '5.x' });
