import { GRAFANA_PROJECT, grafanaWhere, summaries } from './sql.js';

/*
 * Per-tool facts are per-span facts: each tool, MCP and skill call is a row of
 * spans (FINAL, so a call delivered twice counts once) with the typed columns
 * ingest decided (ToolKind, McpServer, SkillName, Success, Duration). What a
 * call wasted is the engine's verdict on it (span_verdicts), never re-derived.
 */

/** The tool, MCP and skill calls that started in range. */
export const CALLS = `spans FINAL WHERE ${grafanaWhere('Timestamp')} AND SpanType IN ('tool', 'mcp', 'skill')`;

/** Wasted calls of the sessions in range: the engine's verdicts (Kind '' is a cleared verdict). */
export const VERDICTS = `span_verdicts FINAL WHERE Project = ${GRAFANA_PROJECT} AND Kind != '' AND SessionId IN (SELECT SessionId FROM ${summaries()})`;

/** Calls, failures, failure rate and median duration per value of `key` over the calls matching `filter`. */
export function callsBy(key: string, label: string, filter: string, extra = '', limit = 50): string {
  return `SELECT ${key} AS ${label},${extra} count() AS calls, countIf(NOT Success) AS failures, failures / calls AS failureRate,
  quantile(0.5)(Duration) / 1e9 AS medianSeconds
FROM ${CALLS} AND ${filter}
GROUP BY ${label}
ORDER BY calls DESC, ${label}
LIMIT ${limit}`;
}
