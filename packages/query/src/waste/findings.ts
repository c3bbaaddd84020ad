import type { QueryScope } from '../scope.js';
import { summariesIn } from '../summaries.js';
import { selectRows, type Client } from '../sql.js';
import type { Finding, WasteOptions } from './options.js';

/**
 * Findings from materialised verdicts of the project's sessions matching
 * `sessions` (a condition on SessionId): one per FindingId (session, kind,
 * anchors); tool, file and command are the first wasted span's.
 */
export function findingsSql(sessions: string, evidence: 'known' | 'partial' | 'any' = 'any'): string {
  // '' is a verdict from before evidence levels (engine version 1): its rules asserted known evidence only.
  const level = evidence === 'any' ? '' : evidence === 'known' ? ` AND Evidence != 'partial'` : ` AND Evidence = 'partial'`;
  return `SELECT SessionId AS sessionId, any(Kind) AS kind, any(AnchorSpanIds) AS anchorSpanIds, if(any(Evidence) = 'partial', 'partial', 'known') AS evidence,
  arrayMap(x -> x.2, arraySort(groupArray((Timestamp, SpanId)))) AS wasteSpanIds,
  sum(Tokens) AS tokens, sum(CostUsd) AS costUsd, max(Estimated) AS estimated,
  argMin(ToolName, (Timestamp, SpanId)) AS toolName, argMin(FilePath, (Timestamp, SpanId)) AS filePath, argMin(Command, (Timestamp, SpanId)) AS command,
  toUnixTimestamp64Milli(min(Timestamp)) AS atMs
FROM span_verdicts FINAL
WHERE Project = {project:String} AND ${sessions} AND Kind != ''${level}
GROUP BY SessionId, FindingId`;
}

export interface FindingRow extends Omit<Finding, 'at' | 'estimated'> {
  estimated: boolean | number;
  atMs: number;
}

export function toFinding(r: FindingRow): Finding {
  const { atMs, ...f } = r;
  return { ...f, tokens: Number(r.tokens), costUsd: Number(r.costUsd), estimated: Boolean(Number(r.estimated)), at: new Date(Number(atMs)).toISOString() };
}

/**
 * Findings of the sessions in scope (project and, typically, one session), most
 * expensive first, from the classifier's materialised verdicts.
 */
export async function findWaste(client: Client, scope: QueryScope, options: WasteOptions & { limit?: number } = {}): Promise<Finding[]> {
  const sessions = summariesIn(scope);
  const sql = `${findingsSql(`SessionId IN (SELECT SessionId FROM ${sessions.sql})`)}\nORDER BY costUsd DESC, atMs, sessionId LIMIT {limit:UInt32}`;
  const rows = await selectRows<FindingRow>(client, sql, { ...sessions.params, limit: options.limit ?? 1000 });
  return rows.map(toFinding);
}
