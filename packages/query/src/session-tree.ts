import { scopeWhere, type QueryScope } from './scope.js';
import { selectRows, type Client } from './sql.js';
import { findWaste } from './waste/findings.js';
import type { Finding, WasteKind, WasteOptions } from './waste/options.js';

/** One span of a reconstructed session, with its children in start order. */
export interface SessionNode {
  spanId: string;
  parentSpanId: string;
  name: string;
  type: string;
  /** Tool, model, skill, MCP server or agent name, whichever the span has. */
  label: string;
  start: string;
  durationMs: number;
  tokens: number;
  costUsd: number;
  success: boolean;
  /** Waste kinds this span is a wasted repeat in (or a failure of), marked inline. */
  waste: WasteKind[];
  children: SessionNode[];
}

export interface SessionDetail {
  sessionId: string;
  roots: SessionNode[];
  findings: Finding[];
  spans: number;
  spendUsd: number;
  tokens: number;
  wasteUsd: number;
}

type Row = Omit<SessionNode, 'children' | 'waste' | 'start' | 'success'> & { startMs: number; success: number | boolean };

/**
 * The spans of one session as a tree by parent links (a subagent hangs under
 * the tool call that spawned it, as its span's parent), read with FINAL so a
 * re-sent span appears once. A span whose parent is missing becomes a root.
 * One session is a few hundred rows read by the sort key's prefix, so the
 * tree is built here rather than in SQL.
 */
export async function getSession(client: Client, scope: QueryScope & { sessionId: string }, options: WasteOptions = {}): Promise<SessionDetail | undefined> {
  const where = scopeWhere(scope);
  const sql = `SELECT SpanId AS spanId, ParentSpanId AS parentSpanId, SpanName AS name, SpanType AS type,
  multiIf(ToolName != '', ToolName, SkillName != '', SkillName, McpServer != '', McpServer, AgentName != '', AgentName, Model) AS label,
  toUnixTimestamp64Milli(Timestamp) AS startMs, Duration / 1e6 AS durationMs,
  InputTokens + OutputTokens + CacheReadTokens + CacheWriteTokens AS tokens, CostUsd AS costUsd, Success AS success
FROM spans FINAL WHERE ${where.sql}
ORDER BY Timestamp, SpanId`;
  const [rows, findings] = await Promise.all([selectRows<Row>(client, sql, where.params), findWaste(client, scope, options)]);
  if (rows.length === 0) return undefined;
  const marks = new Map<string, WasteKind[]>();
  for (const f of findings) for (const id of f.wasteSpanIds) marks.set(id, [...(marks.get(id) ?? []), f.kind]);
  const nodes = new Map<string, SessionNode>();
  for (const r of rows) {
    const { startMs, success, ...rest } = r;
    nodes.set(r.spanId, { ...rest, start: new Date(Number(startMs)).toISOString(), success: Boolean(success), waste: marks.get(r.spanId) ?? [], children: [] });
  }
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
    spans: rows.length,
    spendUsd: rows.reduce((s, r) => s + r.costUsd, 0),
    tokens: rows.reduce((s, r) => s + Number(r.tokens), 0),
    wasteUsd: findings.reduce((s, f) => s + f.costUsd, 0),
  };
}
