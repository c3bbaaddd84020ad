import { SESSION_SUMMARIES, SPAN_VERDICTS, writeRows, type SessionSummaryRow, type SpanVerdictRow, type Store } from '@fulcrum/store';
import { selectRows } from '../sql.js';
import { classifySession } from './classify.js';
import { configHash, resolveAnalysisConfig, type AnalysisConfig } from './config.js';
import { SESSION_SPAN_COLUMNS, toSessionSpan, type SessionSpan } from './span.js';
import { summariseSession, type SessionCounters, type SessionSummary } from './summarise.js';

/** A session with spans newer than its last analysis. */
export interface PendingSession {
  project: string;
  sessionId: string;
  /** session_activity's mark: when its spans were last written (store clock, ms). */
  lastIngestAtMs: number;
  /** It has been analysed before, so earlier verdicts may need clearing. */
  analysedBefore: boolean;
}

export interface AnalyseOptions {
  /** Repeat threshold and budgets. @default ANALYSIS_DEFAULTS */
  config?: Partial<AnalysisConfig>;
  /** Sessions read and written per batch. @default 500 */
  batchSessions?: number;
  /** Told after each batch. @default none */
  onProgress?: (done: number, total: number) => void;
  /** Awaited after each batch with how long it took, in ms, so a caller can yield to other work. @default none */
  pace?: (batchMs: number) => Promise<void>;
}

export interface AnalyseResult {
  sessions: number;
  spans: number;
  wastedSpans: number;
}

const EPOCH = '1970-01-01 00:00:00.000';

/**
 * Sessions whose spans are newer than their last analysis, or that were
 * analysed under other settings or rules, and have been quiet for `quietMs`. Across projects: the analyser serves the whole store, and
 * every read and write it then does for a session is bound to its project.
 */
export async function pendingSessions(client: Store['client'], options: { quietMs?: number; limit?: number; project?: string; config?: Partial<AnalysisConfig> } = {}): Promise<PendingSession[]> {
  const rows = await selectRows<{ project: string; sessionId: string; lastIngestAtMs: number; analysedBefore: number }>(
    client,
    `SELECT a.Project AS project, a.SessionId AS sessionId, toUnixTimestamp64Milli(a.LastIngestAt) AS lastIngestAtMs, s.AnalysedIngestAt > {epoch:DateTime64(3)} AS analysedBefore
FROM (SELECT Project, SessionId, max(LastIngestAt) AS LastIngestAt FROM session_activity WHERE {project:String} = '' OR Project = {project:String} GROUP BY Project, SessionId) AS a
LEFT JOIN (SELECT Project, SessionId, max(AnalysedIngestAt) AS AnalysedIngestAt, argMax(ConfigHash, Revision) AS ConfigHash FROM session_summaries WHERE {project:String} = '' OR Project = {project:String} GROUP BY Project, SessionId) AS s
  ON a.Project = s.Project AND a.SessionId = s.SessionId
WHERE (a.LastIngestAt > s.AnalysedIngestAt OR s.ConfigHash != {configHash:String}) AND a.LastIngestAt <= now64(3) - toIntervalMillisecond({quietMs:UInt32})
ORDER BY project, sessionId
LIMIT {limit:UInt32}`,
    { quietMs: options.quietMs ?? 0, limit: options.limit ?? 10_000, project: options.project ?? '', epoch: EPOCH, configHash: configHash(resolveAnalysisConfig(options.config)) },
  );
  return rows.map((r) => ({ ...r, lastIngestAtMs: Number(r.lastIngestAtMs), analysedBefore: Boolean(Number(r.analysedBefore)) }));
}

let revisionSeq = 0;
/** Strictly increasing within a process, and across restarts by the clock. */
function nextRevision(): number {
  revisionSeq = (revisionSeq + 1) % 1000;
  return Date.now() * 1000 + revisionSeq;
}

/**
 * Classifies the given sessions of one project and materialises the results:
 * spans are streamed in session order, one session at a time is held, and
 * each batch's verdicts and summaries go out in one INSERT each (summaries
 * last, so a crash in between leaves the sessions pending, never half done).
 */
export async function analyseSessions(store: Store, project: string, sessions: readonly PendingSession[], options: AnalyseOptions = {}): Promise<AnalyseResult> {
  const config = resolveAnalysisConfig(options.config);
  const hash = configHash(config);
  const batchSize = options.batchSessions ?? 500;
  const result: AnalyseResult = { sessions: 0, spans: 0, wastedSpans: 0 };
  for (let from = 0; from < sessions.length; from += batchSize) {
    const batch = sessions.slice(from, from + batchSize);
    const ids = batch.map((s) => s.sessionId);
    const marks = new Map(batch.map((s) => [s.sessionId, s.lastIngestAtMs]));
    const previouslyWasted = batch.some((s) => s.analysedBefore) ? await wastedSpanIds(store.client, project, ids) : new Map<string, Set<string>>();
    const batchStart = performance.now();
    const counters = await countersOf(store.client, project, ids);
    const revision = nextRevision();
    const verdictRows: SpanVerdictRow[] = [];
    const summaryRows: SessionSummaryRow[] = [];
    await streamSessions(store.client, project, ids, (spans) => {
      const sessionId = spans[0]!.sessionId;
      const verdicts = classifySession(spans, config);
      const summary = summariseSession(spans, verdicts, config.runaway, counters.get(sessionId));
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      for (const v of verdicts) {
        const sp = byId.get(v.spanId)!;
        verdictRows.push({
          Project: project, SessionId: sessionId, SpanId: v.spanId, Timestamp: sp.startNs, Kind: v.kind, FindingId: v.findingId,
          AnchorSpanIds: v.anchorSpanIds, Tokens: v.tokens, CostUsd: v.costUsd, Estimated: v.estimated,
          ToolName: sp.toolName, FilePath: sp.filePath, Command: sp.command, Revision: revision,
          Evidence: v.evidence, IssuerUsd: v.issuerUsd, CarriedUsd: v.carriedUsd,
        });
      }
      const now = new Set(verdicts.map((v) => v.spanId));
      for (const spanId of previouslyWasted.get(sessionId) ?? []) {
        if (!now.has(spanId)) verdictRows.push({ ...SPAN_VERDICTS.emptyRow(), Project: project, SessionId: sessionId, SpanId: spanId, Timestamp: byId.get(spanId)?.startNs ?? '0', Revision: revision });
      }
      summaryRows.push(summaryRow(project, summary, marks.get(sessionId) ?? 0, hash, revision));
      result.sessions++;
      result.spans += spans.length;
      result.wastedSpans += verdicts.length;
    });
    await writeRows(store, SPAN_VERDICTS, verdictRows);
    await writeRows(store, SESSION_SUMMARIES, summaryRows);
    options.onProgress?.(Math.min(from + batchSize, sessions.length), sessions.length);
    await options.pace?.(performance.now() - batchStart);
  }
  return result;
}

/**
 * Analyses every pending session quiet for `quietMs`, project by project,
 * until none is left (sessions that receive spans meanwhile come round again).
 */
export async function analysePending(store: Store, options: AnalyseOptions & { quietMs?: number; project?: string } = {}): Promise<AnalyseResult> {
  const total: AnalyseResult = { sessions: 0, spans: 0, wastedSpans: 0 };
  for (;;) {
    const pending = await pendingSessions(store.client, { quietMs: options.quietMs, project: options.project, config: options.config });
    if (pending.length === 0) return total;
    let progressed = 0;
    for (const [project, sessions] of byProject(pending)) {
      const r = await analyseSessions(store, project, sessions, options);
      progressed += r.sessions;
      total.sessions += r.sessions;
      total.spans += r.spans;
      total.wastedSpans += r.wastedSpans;
    }
    // Marked sessions whose spans are gone (dropped partitions) yield nothing; stop rather than spin.
    if (progressed === 0) return total;
  }
}

function byProject(sessions: readonly PendingSession[]): Map<string, PendingSession[]> {
  const m = new Map<string, PendingSession[]>();
  for (const s of sessions) {
    const g = m.get(s.project);
    if (g) g.push(s);
    else m.set(s.project, [s]);
  }
  return m;
}

async function wastedSpanIds(client: Store['client'], project: string, ids: string[]): Promise<Map<string, Set<string>>> {
  const rows = await selectRows<{ SessionId: string; SpanId: string }>(
    client,
    `SELECT SessionId, SpanId FROM span_verdicts FINAL WHERE Project = {project:String} AND SessionId IN {ids:Array(String)} AND Kind != ''`,
    { project, ids },
  );
  const m = new Map<string, Set<string>>();
  for (const r of rows) {
    const g = m.get(r.SessionId);
    if (g) g.add(r.SpanId);
    else m.set(r.SessionId, new Set([r.SpanId]));
  }
  return m;
}

/**
 * The harness's own counters (lines, commits, pull requests, active time by
 * who was active) per session, FINAL so each delta window and cumulative series counts once.
 */
export async function countersOf(client: Store['client'], project: string, ids: string[]): Promise<Map<string, SessionCounters>> {
  const rows = await selectRows<{ SessionId: string; linesAdded: number; linesRemoved: number; commits: number; pullRequests: number; agentActive: number; humanActive: number }>(
    client,
    `SELECT SessionId, sumIf(Value, Activity = 'lines_added') AS linesAdded, sumIf(Value, Activity = 'lines_removed') AS linesRemoved,
  sumIf(Value, Activity = 'commits') AS commits, sumIf(Value, Activity = 'pull_requests') AS pullRequests,
  sumIf(Value, Activity = 'active_seconds' AND Attributes['type'] = 'cli') AS agentActive,
  sumIf(Value, Activity = 'active_seconds' AND Attributes['type'] = 'user') AS humanActive
FROM session_metrics FINAL
WHERE Project = {project:String} AND SessionId IN {ids:Array(String)} AND Activity IN ('lines_added', 'lines_removed', 'commits', 'pull_requests', 'active_seconds')
GROUP BY SessionId`,
    { project, ids },
  );
  return new Map(rows.map((r) => [r.SessionId, {
    linesAdded: Number(r.linesAdded), linesRemoved: Number(r.linesRemoved), commits: Number(r.commits), pullRequests: Number(r.pullRequests),
    agentActiveSeconds: Number(r.agentActive), humanActiveSeconds: Number(r.humanActive),
  }]));
}

/** Streams the sessions' spans in session order and hands over one whole session at a time. */
async function streamSessions(client: Store['client'], project: string, ids: string[], onSession: (spans: SessionSpan[]) => void): Promise<void> {
  const rs = await client.query({
    query: `SELECT ${SESSION_SPAN_COLUMNS} FROM spans FINAL WHERE Project = {project:String} AND SessionId IN {ids:Array(String)} ORDER BY SessionId, Timestamp, SpanId`,
    query_params: { project, ids },
    format: 'JSONCompactEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  let current: SessionSpan[] = [];
  for await (const rows of rs.stream()) {
    for (const row of rows) {
      const span = toSessionSpan(row.json<unknown[]>());
      if (current.length > 0 && current[0]!.sessionId !== span.sessionId) {
        onSession(current);
        current = [];
      }
      current.push(span);
    }
  }
  if (current.length > 0) onSession(current);
}

function summaryRow(project: string, s: SessionSummary, lastIngestAtMs: number, hash: string, revision: number): SessionSummaryRow {
  return {
    Project: project, SessionId: s.sessionId, Start: s.startNs, End: s.endNs,
    Team: s.team, Repository: s.repository, Harness: s.harness, UseCase: s.useCase, UserId: s.userId,
    SpendUsd: s.spendUsd, UnpricedCalls: s.unpricedCalls,
    InputTokens: s.inputTokens, OutputTokens: s.outputTokens, CacheReadTokens: s.cacheReadTokens, CacheWriteTokens: s.cacheWriteTokens, Tokens: s.tokens,
    ModelCalls: s.modelCalls, ToolCalls: s.toolCalls, Failures: s.failures, Spans: s.spans,
    LinesAdded: s.linesAdded, LinesRemoved: s.linesRemoved, Refactors: s.refactors, Skills: s.skills, Mcp: s.mcp,
    WasteUsd: s.wasteUsd, WasteTokens: s.wasteTokens, WasteSpans: s.wasteSpans,
    Waste: s.waste.map((w) => ({ Kind: w.kind, Findings: w.findings, Spans: w.spans, Tokens: w.tokens, CostUsd: w.costUsd, Estimated: w.estimated })),
    Windows: s.windows.map((w) => ({ Start: w.startMs, SpendUsd: w.spendUsd, Calls: w.calls })),
    Runaways: s.runaways.map((r) => ({ Start: r.startMs, SpendUsd: r.spendUsd, Calls: r.calls, History: r.history, MedianSpendUsd: r.medianSpendUsd ?? 0, MedianCalls: r.medianCalls ?? 0, Reasons: r.reasons.join(',') })),
    AnalysedIngestAt: lastIngestAtMs, AnalysedAt: Date.now(), ConfigHash: hash, Revision: revision,
    PartialWasteUsd: s.partialWasteUsd, PartialWasteSpans: s.partialWasteSpans,
    PartialWaste: s.partialWaste.map((w) => ({ Kind: w.kind, Findings: w.findings, Spans: w.spans, Tokens: w.tokens, CostUsd: w.costUsd, Estimated: w.estimated })),
    UnverifiableCalls: s.unverifiableCalls, EvidenceHint: s.evidenceHint, LinesSource: s.linesSource, Commits: s.commits, PullRequests: s.pullRequests,
    Prompts: s.delegation.prompts, PromptSource: s.delegation.promptSource, LongestRunCalls: s.delegation.longestRunCalls, LongestRunSeconds: s.delegation.longestRunSeconds,
    RejectedCalls: s.delegation.rejectedCalls, AgentActiveSeconds: s.agentActiveSeconds, HumanActiveSeconds: s.humanActiveSeconds, DelegationLevel: s.delegation.level,
    PreventedCalls: s.preventedCalls, PreventedUsd: s.preventedUsd, GuardWarnings: s.guardWarnings,
  };
}

/**
 * Re-runs the classifier on every session in scope (after a rule or config
 * change), whether or not it has new spans: a project's sessions, optionally
 * only those that started since a time.
 */
export async function reanalyse(store: Store, options: AnalyseOptions & { project?: string; since?: Date } = {}): Promise<AnalyseResult> {
  const rows = await selectRows<{ project: string; sessionId: string; lastIngestAtMs: number }>(
    store.client,
    `SELECT a.Project AS project, a.SessionId AS sessionId, toUnixTimestamp64Milli(a.LastIngestAt) AS lastIngestAtMs
FROM (SELECT Project, SessionId, max(LastIngestAt) AS LastIngestAt FROM session_activity WHERE {project:String} = '' OR Project = {project:String} GROUP BY Project, SessionId) AS a
LEFT JOIN (SELECT Project, SessionId, max(Start) AS Start FROM session_summaries WHERE {project:String} = '' OR Project = {project:String} GROUP BY Project, SessionId) AS s
  ON a.Project = s.Project AND a.SessionId = s.SessionId
WHERE {since:DateTime64(3)} = 0 OR s.Start >= {since:DateTime64(3)} OR s.SessionId = ''
ORDER BY project, sessionId`,
    { project: options.project ?? '', since: options.since ? (options.since.getTime() / 1000).toFixed(3) : '0.000' },
  );
  const sessions = rows.map((r) => ({ ...r, lastIngestAtMs: Number(r.lastIngestAtMs), analysedBefore: true }));
  const total: AnalyseResult = { sessions: 0, spans: 0, wastedSpans: 0 };
  let done = 0;
  for (const [project, group] of byProject(sessions)) {
    const r = await analyseSessions(store, project, group, { ...options, onProgress: (d) => options.onProgress?.(done + d, sessions.length) });
    done += group.length;
    total.sessions += r.sessions;
    total.spans += r.spans;
    total.wastedSpans += r.wastedSpans;
  }
  return total;
}
