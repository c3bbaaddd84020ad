import type { PriceTable } from '@fulcrum/vocab';
import { countersOf } from './engine/analyse.js';
import { classifySession, type Evidence, type WasteKind } from './engine/classify.js';
import { summariseSession, type SessionSummary as SessionTotals } from './engine/summarise.js';
import type { DelegationLevel } from './engine/delegation.js';
import { findingsOf } from './engine/findings.js';
import { FULCRUM } from '@fulcrum/vocab';
import { isGuard, SESSION_SPAN_COLUMNS, toSessionSpan, tokensOf } from './engine/span.js';
import { scopeWhere, type QueryScope } from './scope.js';
import type { Client } from './sql.js';
import type { Finding } from './waste/options.js';

/** One span of a reconstructed session, with its children in start order. */
export interface SessionNode {
  spanId: string;
  parentSpanId: string;
  name: string;
  type: string;
  /** Tool, model, skill, MCP server or agent name, whichever the span has. */
  label: string;
  /** On a tool call: the file it read or wrote (as stored: redacted, capped), else ''. */
  filePath: string;
  /** On a shell call: the command (as stored: redacted, capped), else ''. */
  command: string;
  start: string;
  durationMs: number;
  tokens: number;
  costUsd: number;
  success: boolean;
  /** Waste kinds this span is a wasted repeat in (or a failure of), marked inline. */
  waste: WasteKind[];
  /** How sure the waste mark is: 'known' (arguments), 'partial' (sizes and outcomes only), '' when not waste. */
  evidence: Evidence | '';
  /** On a guard intervention (a `fulcrum.guard` span) only: what the guard decided about the call named by label. */
  guard?: GuardMark;
  children: SessionNode[];
}

/** A guard intervention as the session view shows it inline. */
export interface GuardMark {
  /** The policy that acted (failing_command, identical_call, reread, research, budget); '' when the span named none we know. */
  policy: string;
  /** observed | warned | denied | stopped; '' when the span named none we know. */
  decision: string;
  /** observe | warn | enforce, as the guard reported it. */
  mode: string;
  /** The reason given to the model (redacted at ingest like any text). */
  reason: string;
  /** The guard's estimate of what the call would have cost, USD. */
  savedUsd: number;
}

/** A session's guard interventions, the same figures its summary materialises. */
export interface SessionPrevented {
  /** Calls denied or stopped. */
  calls: number;
  /** Their estimated cost, USD: an estimate, never in spendUsd or wasteUsd. */
  usd: number;
  /** Calls allowed with a warning. */
  warnings: number;
}

export interface SessionDetail {
  sessionId: string;
  roots: SessionNode[];
  findings: Finding[];
  spans: number;
  spendUsd: number;
  /** Model calls to models the price table does not know: their cost is not in spendUsd. */
  unpricedCalls: number;
  tokens: number;
  /** Waste on known evidence. */
  wasteUsd: number;
  /** Waste on partial evidence only (findings marked 'partial'): not in wasteUsd. */
  partialWasteUsd: number;
  /** Tool calls whose arguments the harness did not send, and the setting that would send them. */
  unverifiableCalls: number;
  evidenceHint: string;
  linesAdded: number;
  linesRemoved: number;
  /** 'spans', 'metrics' (the harness's own counter) or '' (no lines). */
  linesSource: string;
  commits: number;
  pullRequests: number;
  delegation: SessionDelegation;
  /** What the guard prevented in this session (zeros without a guard). */
  prevented: SessionPrevented;
}

/** How far the agent ran without its human in this session (docs/outcomes.md). */
export interface SessionDelegation {
  /** 'pair' | 'supervised' | 'delegated', or '' when no prompt is known. */
  level: DelegationLevel;
  prompts: number;
  /** Where the prompts were counted from: 'events', 'traces', 'transcript' or ''. */
  promptSource: string;
  toolCalls: number;
  /** toolCalls / prompts; null without prompts. */
  toolCallsPerPrompt: number | null;
  longestRunCalls: number;
  longestRunSeconds: number;
  /** Tool calls the human rejected. */
  rejectedCalls: number;
  /** The harness's own active time (Claude Code), seconds; 0 when it reports none. */
  agentActiveSeconds: number;
  humanActiveSeconds: number;
  /** agent / (agent + human) active time; null when the harness reports none. */
  agentActiveShare: number | null;
}

/** The delegation figures of a summary, with the ratios a reader wants. */
export function delegationOfSummary(s: SessionTotals): SessionDelegation {
  const d = s.delegation;
  const active = s.agentActiveSeconds + s.humanActiveSeconds;
  return {
    level: d.level, prompts: d.prompts, promptSource: d.promptSource, toolCalls: s.toolCalls,
    toolCallsPerPrompt: d.prompts > 0 ? s.toolCalls / d.prompts : null,
    longestRunCalls: d.longestRunCalls, longestRunSeconds: d.longestRunSeconds, rejectedCalls: d.rejectedCalls,
    agentActiveSeconds: s.agentActiveSeconds, humanActiveSeconds: s.humanActiveSeconds,
    agentActiveShare: active > 0 ? s.agentActiveSeconds / active : null,
  };
}

/**
 * The spans of one session as a tree by parent links (a subagent hangs under
 * the tool call that spawned it, as its span's parent), read with FINAL so a
 * re-sent span appears once. A span whose parent is missing becomes a root.
 * Its waste is classified live by the engine's classifier (the same function
 * that materialises verdicts), so an open session shows its waste too.
 */
export async function getSession(client: Client, scope: QueryScope & { sessionId: string }, options: { minRepeat?: number; prices?: PriceTable } = {}): Promise<SessionDetail | undefined> {
  const where = scopeWhere(scope);
  const rs = await client.query({
    query: `SELECT ${SESSION_SPAN_COLUMNS}, SpanAttributes[{guardMode:String}], SpanAttributes[{guardReason:String}],
  SpanName, multiIf(ToolName != '', ToolName, SkillName != '', SkillName, McpServer != '', McpServer, AgentName != '', AgentName, Model), Duration / 1e6
FROM spans FINAL WHERE ${where.sql}
ORDER BY Timestamp, SpanId`,
    query_params: { ...where.params, guardMode: FULCRUM.GUARD_MODE, guardReason: FULCRUM.GUARD_REASON },
    format: 'JSONCompactEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const rows = await rs.json<unknown[]>();
  if (rows.length === 0) return undefined;
  const spans = rows.map(toSessionSpan);
  const verdicts = classifySession(spans, options);
  const findings = findingsOf(spans, verdicts);
  const marks = new Map(verdicts.map((v) => [v.spanId, v]));
  const summary = summariseSession(spans, verdicts, {}, (await countersOf(client, scope.project, [scope.sessionId])).get(scope.sessionId));
  const nodes = new Map<string, SessionNode>();
  spans.forEach((sp, i) => {
    const [mode, reason, name, label, durationMs] = rows[i]!.slice(-5) as [string, string, string, string, number];
    const guard = isGuard(sp) ? { guard: { policy: sp.guardPolicy, decision: sp.guardDecision, mode, reason, savedUsd: sp.guardSavedUsd } } : {};
    nodes.set(sp.spanId, {
      spanId: sp.spanId, parentSpanId: sp.parentSpanId, name, type: sp.type, label, filePath: sp.filePath, command: sp.command, durationMs: Number(durationMs), tokens: tokensOf(sp), costUsd: sp.costUsd,
      start: new Date(sp.startMs).toISOString(), success: sp.success, waste: marks.has(sp.spanId) ? [marks.get(sp.spanId)!.kind] : [], evidence: marks.get(sp.spanId)?.evidence ?? '', ...guard, children: [],
    });
  });
  const roots: SessionNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentSpanId ? nodes.get(n.parentSpanId) : undefined;
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  return {
    sessionId: scope.sessionId,
    roots,
    findings,
    spans: summary.spans,
    spendUsd: spans.reduce((s, r) => s + r.costUsd, 0),
    unpricedCalls: spans.filter((r) => r.type === 'llm' && !r.priced).length,
    tokens: spans.reduce((s, r) => s + tokensOf(r), 0),
    wasteUsd: summary.wasteUsd,
    partialWasteUsd: summary.partialWasteUsd,
    unverifiableCalls: summary.unverifiableCalls,
    evidenceHint: summary.evidenceHint,
    linesAdded: summary.linesAdded,
    linesRemoved: summary.linesRemoved,
    linesSource: summary.linesSource,
    commits: summary.commits,
    pullRequests: summary.pullRequests,
    delegation: delegationOfSummary(summary),
    prevented: { calls: summary.preventedCalls, usd: summary.preventedUsd, warnings: summary.guardWarnings },
  };
}
