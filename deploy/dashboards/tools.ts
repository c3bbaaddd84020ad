import type { DashboardSpec } from './model.js';
import { callsBy, TOOL_CALLS_SQL } from './tool-calls.js';

/* Calls, failure rate, $ and tokens by tool, MCP server and skill. */

const USD = 'currencyUSD';
const TABLE_FIELDS = {
  defaults: {},
  overrides: [
    { matcher: { id: 'byName', options: 'costUsd' }, properties: [{ id: 'unit', value: USD }] },
    { matcher: { id: 'byName', options: 'failureRate' }, properties: [{ id: 'unit', value: 'percentunit' }] },
  ],
};
const NEEDS = (key: string) => ({ columns: [key, 'calls', 'failures', 'failureRate', 'costUsd', 'tokens'] });

export async function tools(): Promise<DashboardSpec> {
  return {
    uid: 'fulcrum-tools',
    title: 'Fulcrum / Tools and MCP',
    description: 'Calls, failure rate, $ and tokens by tool, MCP server and skill.',
    tags: ['tools', 'mcp'],
    panels: [
      {
        type: 'timeseries',
        title: 'Tool, MCP and skill calls',
        description: 'Calls and failed calls per interval.',
        sql: `SELECT $__timeInterval(Timestamp) AS time, count() AS calls, countIf(NOT Success) AS failures
FROM (${TOOL_CALLS_SQL})
GROUP BY time
ORDER BY time`,
        needs: { columns: ['time', 'calls', 'failures'], time: true },
        w: 12,
        h: 8,
      },
      {
        type: 'barchart',
        title: '$ by tool',
        description: "Each call's share of the model call that issued it.",
        sql: `SELECT ToolName AS tool, sum(CostUsd) AS costUsd
FROM (${TOOL_CALLS_SQL})
WHERE ToolName != ''
GROUP BY tool
ORDER BY costUsd DESC
LIMIT 15`,
        needs: { columns: ['tool', 'costUsd'] },
        w: 12,
        h: 8,
        unit: USD,
        options: { xField: 'tool', orientation: 'horizontal', legend: { showLegend: false, displayMode: 'list', placement: 'bottom' } },
      },
      {
        type: 'table',
        title: 'Tools',
        description: 'Built-in and MCP tools. $ and tokens: each call\'s share of the model call that issued it.',
        sql: callsBy('ToolName', 'tool', "SpanType IN ('tool', 'mcp') AND ToolName != ''"),
        needs: NEEDS('tool'),
        w: 24,
        h: 9,
        fieldConfig: TABLE_FIELDS,
      },
      {
        type: 'table',
        title: 'MCP servers',
        description: 'Calls to tools served over MCP, by server.',
        sql: callsBy("if(McpServer = '', '(unnamed)', McpServer)", 'mcpServer', "SpanType = 'mcp' OR McpServer != ''"),
        needs: NEEDS('mcpServer'),
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
