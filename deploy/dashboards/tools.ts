import type { DashboardSpec } from './model.js';
import { CALLS, callsBy, VERDICTS } from './tool-calls.js';

/*
 * Calls, failure rate and duration by tool kind, tool, MCP server and skill
 * (per-span facts from spans), and what the tools' calls wasted (the engine's
 * verdicts).
 */

const USD = 'currencyUSD';
const TABLE_FIELDS = {
  defaults: {},
  overrides: [
    { matcher: { id: 'byName', options: 'wastedUsd' }, properties: [{ id: 'unit', value: USD }] },
    { matcher: { id: 'byName', options: 'failureRate' }, properties: [{ id: 'unit', value: 'percentunit' }] },
    { matcher: { id: 'byName', options: 'medianSeconds' }, properties: [{ id: 'unit', value: 's' }] },
  ],
};
const NEEDS = (key: string, ...more: string[]) => ({ columns: [key, 'calls', 'failures', 'failureRate', 'medianSeconds', ...more] });

export async function tools(): Promise<DashboardSpec> {
  return {
    uid: 'fulcrum-tools',
    title: 'Fulcrum / Tools and MCP',
    description: 'Calls, failure rate and wasted $ by tool kind, tool, MCP server and skill.',
    tags: ['tools', 'mcp'],
    panels: [
      {
        type: 'timeseries',
        title: 'Tool, MCP and skill calls',
        description: 'Calls and failed calls per interval.',
        sql: `SELECT $__timeInterval(Timestamp) AS time, count() AS calls, countIf(NOT Success) AS failures
FROM ${CALLS}
GROUP BY time
ORDER BY time`,
        needs: { columns: ['time', 'calls', 'failures'], time: true },
        w: 12,
        h: 8,
      },
      {
        type: 'barchart',
        title: 'Wasted $ by tool',
        description: 'What calls of each tool wasted (loops, redundant reads and searches, failures), in the sessions that started in range.',
        sql: `SELECT ToolName AS tool, sum(CostUsd) AS wastedUsd, count() AS wastedCalls
FROM ${VERDICTS} AND ToolName != ''
GROUP BY tool
ORDER BY wastedUsd DESC, tool
LIMIT 15`,
        needs: { columns: ['tool', 'wastedUsd'] },
        w: 12,
        h: 8,
        fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byName', options: 'wastedUsd' }, properties: [{ id: 'unit', value: USD }] }] },
        options: { xField: 'tool', orientation: 'horizontal', legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
      },
      {
        type: 'barchart',
        title: 'Calls by tool kind',
        description: 'Reads, edits, writes, deletes, searches, shell commands, MCP, skills and subagents, as decided at ingest.',
        sql: `SELECT ToolKind AS kind, count() AS calls, countIf(NOT Success) AS failures
FROM ${CALLS}
GROUP BY kind
ORDER BY calls DESC, kind`,
        needs: { columns: ['kind', 'calls', 'failures'] },
        w: 8,
        h: 9,
        options: { xField: 'kind', orientation: 'horizontal', legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
      },
      {
        type: 'table',
        title: 'Tools',
        description: 'Built-in and MCP tools: calls in range, and what their calls wasted in the sessions that started in range.',
        sql: `SELECT c.*, w.wastedCalls AS wastedCalls, w.wastedUsd AS wastedUsd
FROM (${callsBy('ToolName', 'tool', "SpanType != 'skill' AND ToolName != ''", ' any(ToolKind) AS kind,')}) AS c
LEFT JOIN (SELECT ToolName, count() AS wastedCalls, sum(CostUsd) AS wastedUsd FROM ${VERDICTS} GROUP BY ToolName) AS w ON w.ToolName = c.tool
ORDER BY calls DESC, tool`,
        needs: NEEDS('tool', 'kind', 'wastedUsd'),
        w: 16,
        h: 9,
        fieldConfig: TABLE_FIELDS,
      },
      {
        type: 'table',
        title: 'MCP servers',
        description: 'Calls to tools served over MCP, by server.',
        sql: callsBy("if(McpServer = '', '(unnamed)', McpServer)", 'mcpServer', "(SpanType = 'mcp' OR McpServer != '')", ' uniqExact(ToolName) AS tools,'),
        needs: NEEDS('mcpServer', 'tools'),
        w: 12,
        h: 9,
        fieldConfig: TABLE_FIELDS,
      },
      {
        type: 'table',
        title: 'Skills',
        description: 'Skill invocations, by skill.',
        sql: callsBy('SkillName', 'skill', "SkillName != ''"),
        needs: NEEDS('skill'),
        w: 12,
        h: 9,
        fieldConfig: TABLE_FIELDS,
      },
    ],
  };
}
