import { scopeWhere, type QueryScope } from './scope.js';
import { selectRows, type Client } from './sql.js';
import { WASTE_DEFAULTS, type Finding, type WasteKind, type WasteOptions } from './waste/options.js';
import { WASTE_SPAN_COLUMNS, wasteSpanParams } from './waste/pipeline.js';
import { classifySession, toFindings, WASTE_ROW_SQL, type WasteSpanRow } from './waste/session.js';

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

type Row = Omit<SessionNode, 'children' | 'waste' | 'start' | 'success'> & WasteSpanRow;

/**
 * The spans of one session as a tree by parent links (a subagent hangs under
 * the tool call that spawned it, as its span's parent), read with FINAL so a
 * re-sent span appears once. A span whose parent is missing becomes a root.
 * One session is a few hundred rows read by the sort key's prefix, so the
 * tree is built here rather than in SQL, and so is its waste: the same rows
 * carry the waste pipeline's per-span keys and classifySession applies its
 * rules (planning the pipeline's SQL would take longer than all of this).
 */
export async function getSession(client: Client, scope: QueryScope & { sessionId: string }, options: WasteOptions = {}): Promise<SessionDetail | undefined> {
  const where = scopeWhere(scope);
  const minRepeat = options.minRepeat ?? WASTE_DEFAULTS.minRepeat;
  if (!Number.isInteger(minRepeat) || minRepeat < 2) throw new RangeError(`minRepeat must be an integer >= 2, got ${minRepeat}`);
  const sql = `SELECT SpanId AS spanId, ParentSpanId AS parentSpanId, SpanName AS name, SpanType AS type,
  multiIf(ToolName != '', ToolName, SkillName != '', SkillName, McpServer != '', McpServer, AgentName != '', AgentName, Model) AS label,
  toUnixTimestamp64Milli(Timestamp) AS startMs, Duration / 1e6 AS durationMs,
  CostUsd AS costUsd, Success AS success, ${WASTE_SPAN_COLUMNS},
  ${WASTE_ROW_SQL}
FROM spans FINAL WHERE ${where.sql}
ORDER BY Timestamp, SpanId`;
  const rows = await selectRows<Row>(client, sql, { ...where.params, ...wasteSpanParams() });
  if (rows.length === 0) return undefined;
  const findings = toFindings(scope.sessionId, classifySession(rows, minRepeat));
  const marks = new Map<string, WasteKind[]>();
  for (const f of findings) for (const id of f.wasteSpanIds) marks.set(id, [...(marks.get(id) ?? []), f.kind]);
  const nodes = new Map<string, SessionNode>();
  for (const r of rows) {
    const { spanId, parentSpanId, name, type, label, durationMs, tokens, costUsd } = r;
    nodes.set(spanId, { spanId, parentSpanId, name, type, label, durationMs, tokens, costUsd, start: new Date(Number(r.startMs)).toISOString(), success: Boolean(r.success), waste: marks.get(spanId) ?? [], children: [] });
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
