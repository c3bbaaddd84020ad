import { t } from '../schema/column-types.js';
import { col, defineTable, nested, type RowOf } from '../schema/table.js';

/*
 * What the engine materialises. Each session is classified once, after it has
 * been quiet for a while, and again whenever new spans arrive for it; readers
 * (reports, API, dashboards) only ever read these tables.
 *
 * Both analysis tables are ReplacingMergeTree(Revision) keyed by session (and
 * span): a re-analysis writes rows with a higher Revision that replace the
 * old ones, so analysing twice gives the same rows as analysing once. They
 * are not partitioned by time: a late span can move a session's start, and a
 * replacement only meets the row it replaces within one partition.
 */

/** Sessions that received spans, with when: filled by a materialized view on every INSERT into spans, whatever wrote it. */
export const SESSION_ACTIVITY = defineTable({
  name: 'session_activity',
  columns: {
    Project: col(t.lowString),
    SessionId: col(t.string),
    /** When spans for the session were last written (the store's clock). */
    LastIngestAt: col(t.millis),
  },
  engine: 'ReplacingMergeTree(LastIngestAt)',
  orderBy: '(Project, SessionId)',
});

/** One row per session: spend, tokens, activity, waste by category and runaway windows, as of its last analysis. */
export const SESSION_SUMMARIES = defineTable({
  name: 'session_summaries',
  columns: {
    Project: col(t.lowString),
    SessionId: col(t.string),
    Start: col(t.nanos),
    End: col(t.nanos),
    Team: col(t.lowString),
    Repository: col(t.lowString),
    Harness: col(t.lowString),
    UseCase: col(t.lowString),
    UserId: col(t.string),
    SpendUsd: col(t.float64),
    /** Model calls whose model is not in the price table: spend excludes them. */
    UnpricedCalls: col(t.uint32),
    InputTokens: col(t.uint64),
    OutputTokens: col(t.uint64),
    CacheReadTokens: col(t.uint64),
    CacheWriteTokens: col(t.uint64),
    Tokens: col(t.uint64),
    ModelCalls: col(t.uint32),
    ToolCalls: col(t.uint32),
    Failures: col(t.uint32),
    Spans: col(t.uint32),
    LinesAdded: col(t.uint32),
    LinesRemoved: col(t.uint32),
    Refactors: col(t.uint32),
    Skills: col(t.uint32),
    Mcp: col(t.uint32),
    WasteUsd: col(t.float64),
    WasteTokens: col(t.uint64),
    WasteSpans: col(t.uint32),
    /** Waste by category (one entry per kind found). */
    Waste: nested({ Kind: t.lowString, Findings: t.uint32, Spans: t.uint32, Tokens: t.uint64, CostUsd: t.float64, Estimated: t.bool }),
    /** Spend and calls per window of the session (the runaway window), for team-level budgets and spikes. */
    Windows: nested({ Start: t.millis, SpendUsd: t.float64, Calls: t.uint32 }),
    /** Windows where the session crossed a budget or spiked above its own trailing median. */
    Runaways: nested({ Start: t.millis, SpendUsd: t.float64, Calls: t.uint32, History: t.uint32, MedianSpendUsd: t.float64, MedianCalls: t.float64, Reasons: t.string }),
    /** The session_activity mark this analysis saw: newer spans make the session pending again. */
    AnalysedIngestAt: col(t.millis),
    AnalysedAt: col(t.millis),
    /** Hash of the analysis settings (repeat threshold, budgets, windows) the row was computed with. */
    ConfigHash: col(t.string),
    Revision: col(t.uint64),
    /** Waste asserted on partial evidence (sizes, outcomes, order; no arguments): listed apart, never in WasteUsd. */
    PartialWasteUsd: col(t.float64),
    PartialWasteSpans: col(t.uint32),
    PartialWaste: nested({ Kind: t.lowString, Findings: t.uint32, Spans: t.uint32, Tokens: t.uint64, CostUsd: t.float64, Estimated: t.bool }),
    /** Tool calls whose identity the harness did not send: no rule can call them repeats. */
    UnverifiableCalls: col(t.uint32),
    /** The harness setting that would make those calls verifiable ('' when none is known). */
    EvidenceHint: col(t.string),
    /** Where LinesAdded/LinesRemoved came from: 'spans', 'metrics' (the harness's own counter) or '' (none). */
    LinesSource: col(t.lowString),
    /** Commits and pull requests the harness counted (its metrics), else the session's own git commit calls. */
    Commits: col(t.uint32),
    PullRequests: col(t.uint32),
    // Delegation (migration 0015; definitions in docs/outcomes.md). Tool calls per prompt is ToolCalls / Prompts.
    /** Human prompts: the harness's prompt events, else Claude Code's interaction spans, else the transcript's user messages. */
    Prompts: col(t.uint32),
    /** Where Prompts came from: 'events', 'traces', 'transcript' or '' (none: no delegation figures). */
    PromptSource: col(t.lowString),
    /** The most tool calls between two human interventions (a prompt or a rejected call). */
    LongestRunCalls: col(t.uint32),
    /** The longest time from a human intervention to the end of the last call before the next one, in seconds. */
    LongestRunSeconds: col(t.float64),
    /** Tool calls a human rejected (decision reject, denied or abort, from the user rather than a config rule). */
    RejectedCalls: col(t.uint32),
    /** The harness's own active time (Claude Code's active_time.total): type=cli (the agent) and type=user (the human). */
    AgentActiveSeconds: col(t.float64),
    HumanActiveSeconds: col(t.float64),
    /** 'pair' | 'supervised' | 'delegated', or '' when no prompt is known. */
    DelegationLevel: col(t.lowString),
    // Guard interventions (migration 0020; docs/conventions.md, fulcrum.guard.*).
    /** Calls the guard denied or stopped (policy and decision known). */
    PreventedCalls: col(t.uint32),
    /** The guard's estimate of what those calls would have cost, USD: an estimate, never in SpendUsd or WasteUsd. */
    PreventedUsd: col(t.float64),
    /** Calls the guard allowed with a warning to the model. */
    GuardWarnings: col(t.uint32),
  },
  engine: 'ReplacingMergeTree(Revision)',
  orderBy: '(Project, SessionId)',
});

/** One row per wasted span (Kind '' once a re-analysis clears it): the classifier's verdict. */
export const SPAN_VERDICTS = defineTable({
  name: 'span_verdicts',
  columns: {
    Project: col(t.lowString),
    SessionId: col(t.string),
    SpanId: col(t.string),
    Timestamp: col(t.nanos),
    /** A waste kind; '' when a later analysis found the span is no longer waste. */
    Kind: col(t.lowString),
    /** The finding the span belongs to: same session, kind and anchors. */
    FindingId: col(t.string),
    /** The call(s) this one repeats; empty for plain failures. */
    AnchorSpanIds: col(t.strings),
    Tokens: col(t.uint64),
    CostUsd: col(t.float64),
    /** Tokens were estimated from the result size, not reported. */
    Estimated: col(t.bool),
    ToolName: col(t.lowString),
    FilePath: col(t.string),
    Command: col(t.string),
    Revision: col(t.uint64),
    /** 'known': the call's arguments (or their hash) show it is the same; 'partial': only sizes, outcomes and order do. */
    Evidence: col(t.lowString),
    /** Of CostUsd: the share of the model call that issued the wasted call. */
    IssuerUsd: col(t.float64),
    /** Of CostUsd: carrying the call's result in the session's later requests. */
    CarriedUsd: col(t.float64),
  },
  engine: 'ReplacingMergeTree(Revision)',
  orderBy: '(Project, SessionId, SpanId)',
  // Read a few sessions at a time (a report's worst sessions): small granules keep that to the rows asked for.
  settings: 'index_granularity = 1024',
});

export type SessionActivityRow = RowOf<typeof SESSION_ACTIVITY.columns>;
export type SessionSummaryRow = RowOf<typeof SESSION_SUMMARIES.columns>;
export type SpanVerdictRow = RowOf<typeof SPAN_VERDICTS.columns>;
