import { GRAFANA_WHERE } from './sql.js';

/**
 * One row per tool, MCP and skill call with the $ and tokens it caused: its
 * share of the model call that issued it (the last model call before it in
 * the same thread, split evenly among the calls that model call issued). This
 * is the waste pipeline's attribution (IssuerCost / Issued), so $ per tool and
 * wasted $ add up the same way. Calls made before any model call in their
 * thread (a subagent's first calls) carry no $.
 */
export const TOOL_CALLS_SQL = `SELECT Timestamp, SessionId, SpanType, ToolName, McpServer, SkillName, Success,
  if(Issued > 0, IssuerCost / Issued, 0) AS CostUsd, if(Issued > 0, IssuerTokens / Issued, 0) AS Tokens
FROM (
  SELECT *,
    sumIf(CostUsd, IsLlm) OVER issuer AS IssuerCost,
    sumIf(AllTokens, IsLlm) OVER issuer AS IssuerTokens,
    countIf(NOT IsLlm) OVER issuer AS Issued
  FROM (
    SELECT *, countIf(IsLlm) OVER (PARTITION BY SessionId, ParentSpanId ORDER BY Timestamp, SpanId ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS LlmSeq
    FROM (
      SELECT Timestamp, SessionId, SpanId, ParentSpanId, SpanType, ToolName, McpServer, SkillName, Success, CostUsd,
        InputTokens + OutputTokens + CacheReadTokens + CacheWriteTokens AS AllTokens, SpanType = 'llm' AS IsLlm
      FROM spans FINAL
      WHERE ${GRAFANA_WHERE} AND SpanType IN ('llm', 'tool', 'mcp', 'skill')
    )
  )
  WINDOW issuer AS (PARTITION BY SessionId, ParentSpanId, LlmSeq)
)
WHERE NOT IsLlm`;

/** Calls, failures, failure rate, $ and tokens per value of `key` over the calls matching `filter`. */
export function callsBy(key: string, label: string, filter: string, limit = 50): string {
  return `SELECT ${key} AS ${label}, count() AS calls, countIf(NOT Success) AS failures, failures / calls AS failureRate,
  sum(CostUsd) AS costUsd, toUInt64(sum(Tokens)) AS tokens
FROM (${TOOL_CALLS_SQL})
WHERE ${filter}
GROUP BY ${label}
ORDER BY costUsd DESC, calls DESC, ${label}
LIMIT ${limit}`;
}
