import type { QueryScope } from '../scope.js';
import { selectRows, type Client } from '../sql.js';
import type { Finding, WasteKind, WasteOptions } from './options.js';
import { wastedSpansSql } from './pipeline.js';

/** Groups wasted spans into findings: one per (session, kind, anchor); plain failures one per session and kind. Tool, file and command are the first wasted span's. */
export function findingsSql(pipelineSql: string): string {
  return `SELECT SessionId AS sessionId, WasteKind AS kind, Anchors AS anchorSpanIds,
  arrayMap(x -> x.2, arraySort(groupArray((Timestamp, SpanId)))) AS wasteSpanIds,
  sum(WasteTokens) AS tokens, sum(WasteCost) AS costUsd, max(Estimated) AS estimated,
  argMin(ToolName, (Timestamp, SpanId)) AS toolName, argMin(FilePath, (Timestamp, SpanId)) AS filePath, argMin(Command, (Timestamp, SpanId)) AS command,
  toUnixTimestamp64Milli(min(Timestamp)) AS atMs
FROM (${pipelineSql})
GROUP BY SessionId, WasteKind, Anchors`;
}

export interface FindingRow {
  sessionId: string;
  kind: WasteKind;
  anchorSpanIds: string[];
  wasteSpanIds: string[];
  tokens: number;
  costUsd: number;
  estimated: boolean | number;
  toolName: string;
  filePath: string;
  command: string;
  atMs: number;
}

export function toFinding(r: FindingRow): Finding {
  return {
    sessionId: r.sessionId,
    kind: r.kind,
    anchorSpanIds: r.anchorSpanIds,
    wasteSpanIds: r.wasteSpanIds,
    tokens: Number(r.tokens),
    costUsd: Number(r.costUsd),
    estimated: Boolean(r.estimated),
    toolName: r.toolName,
    filePath: r.filePath,
    command: r.command,
    at: new Date(Number(r.atMs)).toISOString(),
  };
}

/**
 * Every finding in the scope, most expensive first. Meant for one session or a
 * small scope: a report over many sessions uses wasteReport, which keeps the
 * aggregation in ClickHouse.
 */
export async function findWaste(client: Client, scope: QueryScope, options: WasteOptions & { limit?: number } = {}): Promise<Finding[]> {
  const p = wastedSpansSql(scope, options);
  const sql = `${findingsSql(p.sql)}\nORDER BY costUsd DESC, atMs, sessionId LIMIT {limit:UInt32}`;
  const rows = await selectRows<FindingRow>(client, sql, { ...p.params, limit: options.limit ?? 1000 });
  return rows.map(toFinding);
}
