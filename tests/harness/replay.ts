import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ClickHouseClient } from '@clickhouse/client';

import { FIXTURES } from '../helpers/fixtures.js';

export { FIXTURES };

interface Meta {
  url: string;
  headers: Record<string, string>;
}

/** Headers a client sends that fetch computes itself. */
const HOP = new Set(['host', 'connection', 'transfer-encoding', 'content-length', 'user-agent']);

/**
 * POSTs every captured request of a fixture session, in order, with its exact
 * content type, encoding (bodies of gzip sessions are stored un-gzipped, so
 * they are gzipped again) and extra headers. Returns each response's status.
 */
export async function replay(baseUrl: string, dir: string): Promise<{ file: string; status: number; body: string }[]> {
  const otlp = join(dir, 'otlp');
  const metas = readdirSync(otlp).filter((f) => f.endsWith('.meta.json')).sort();
  const out = [];
  for (const m of metas) {
    const meta = JSON.parse(readFileSync(join(otlp, m), 'utf8')) as Meta;
    const stem = m.replace('.meta.json', '');
    const bodyFile = readdirSync(otlp).find((f) => f.startsWith(stem) && (f.endsWith('.pb') || (f.endsWith('.json') && !f.includes('.meta.') && !f.includes('.decoded.'))))!;
    let body: Buffer = readFileSync(join(otlp, bodyFile));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(meta.headers)) if (!HOP.has(k)) headers[k] = v;
    if (headers['content-encoding'] === 'gzip') body = gzipSync(body);
    const res = await fetch(baseUrl + meta.url, { method: 'POST', headers, body });
    out.push({ file: bodyFile, status: res.status, body: await res.text() });
  }
  return out;
}

/** Rows of a query, FINAL so each call counts once. */
export async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

export interface CallRow {
  SpanType: string;
  ToolName: string;
  FilePath: string;
  Command: string;
  Success: boolean;
  ErrorType: string;
  SkillName: string;
  McpServer: string;
  AgentName: string;
  LinesAdded: number;
  LinesRemoved: number;
  ReadOffset: number;
  ReadLimit: number;
  FileUnchanged: boolean;
  Timestamp: string;
  Source: string;
  VcsAction: string;
  VcsCommit: string;
}

/** The session's tool-like calls (tool, mcp, skill, agent) in time order. */
export function calls(client: ClickHouseClient, sessionId: string): Promise<CallRow[]> {
  return rows<CallRow>(client, `SELECT SpanType, ToolName, FilePath, Command, Success, ErrorType, SkillName, McpServer, AgentName,
      LinesAdded, LinesRemoved, ReadOffset, ReadLimit, FileUnchanged, toString(Timestamp) AS Timestamp, Source, VcsAction, VcsCommit
    FROM spans FINAL WHERE SessionId = {s:String} AND SpanType IN ('tool','mcp','skill','agent') ORDER BY Timestamp`, { s: sessionId });
}

export interface Totals {
  calls: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
  unpriced: number;
}

/** LLM call count, tokens and dollars of a session. */
export async function llmTotals(client: ClickHouseClient, sessionId: string): Promise<Totals> {
  const [t] = await rows<Record<string, string | number>>(client, `SELECT count() AS calls, sum(InputTokens) AS input, sum(OutputTokens) AS output,
      sum(CacheReadTokens) AS cacheRead, sum(CacheWriteTokens) AS cacheWrite, round(sum(CostUsd), 8) AS cost, countIf(NOT Priced) AS unpriced
    FROM spans FINAL WHERE SessionId = {s:String} AND SpanType = 'llm'`, { s: sessionId });
  return Object.fromEntries(Object.entries(t!).map(([k, v]) => [k, Number(v)])) as unknown as Totals;
}

/** tool name → number of calls. */
export function byName(list: CallRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of list) out[c.ToolName] = (out[c.ToolName] ?? 0) + 1;
  return out;
}
