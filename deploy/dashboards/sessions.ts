import { findingsSql, listSessions, scopeWhere, wastedSpansSql } from '@fulcrum/query';
import { DATASOURCE, type DashboardSpec } from './model.js';
import { capture, SCOPE, toGrafana } from './sql.js';

/*
 * The sessions in range, most expensive first, with leverage and waste
 * findings, each linking to its trace in Grafana's trace view. No user
 * column: the individual view is opt-in.
 */

/** Trace view columns: the OpenTelemetry collector's otel_traces names, which the spans table keeps. */
export const TRACE_COLUMNS = [
  { name: 'TraceId', hint: 'trace_id' },
  { name: 'SpanId', hint: 'trace_span_id' },
  { name: 'ParentSpanId', hint: 'trace_parent_span_id' },
  { name: 'ServiceName', hint: 'trace_service_name' },
  { name: 'SpanName', hint: 'trace_operation_name' },
  { name: 'Timestamp', hint: 'time' },
  { name: 'Duration', hint: 'trace_duration_time' },
  { name: 'SpanAttributes', hint: 'trace_tags' },
  { name: 'ResourceAttributes', hint: 'trace_service_tags' },
  { name: 'StatusCode', hint: 'trace_status_code' },
  { name: 'StatusMessage', hint: 'trace_status_message' },
  { name: 'SpanKind', hint: 'trace_kind' },
] as const;

/**
 * The Explore query that opens one trace: the plugin's query builder in trace
 * ID mode on the spans table (the table and database left to the
 * datasource's defaults), with OpenTelemetry columns.
 */
export function traceQuery(traceId: string) {
  return {
    refId: 'A',
    datasource: DATASOURCE,
    editorType: 'builder',
    queryType: 'traces',
    rawSql: '',
    builderOptions: {
      database: '',
      table: 'spans',
      queryType: 'traces',
      columns: TRACE_COLUMNS.map((c) => ({ ...c })),
      filters: [],
      orderBy: [],
      limit: 10000,
      meta: { minimized: true, isTraceIdMode: true, traceId, otelEnabled: true, otelVersion: 'latest', traceDurationUnit: 'nanoseconds' },
    },
  };
}

/**
 * An Explore URL for the trace in a row. JSON is percent-encoded except for
 * Grafana's own ${...} variables, which it interpolates when the link is followed.
 */
export function traceLinkUrl(): string {
  const panes = { trace: { datasource: '${datasource}', queries: [traceQuery('${__data.fields.traceId}')], range: { from: '${__from}', to: '${__to}' } } };
  const encoded = encodeURIComponent(JSON.stringify(panes)).replace(/%24%7B([^%]*(?:%3A[^%]*)?)%7D/g, (_m, v: string) => `\${${decodeURIComponent(v)}}`);
  return `/explore?schemaVersion=1&orgId=\${__org}&panes=${encoded}`;
}

export async function sessions(): Promise<DashboardSpec> {
  const list = await capture((c, s) => listSessions(c, s, { sort: 'spend', limit: 200 }));
  const waste = wastedSpansSql(SCOPE);
  const findings = `SELECT sessionId AS findingsSession, count() AS findings, arrayStringConcat(arraySort(groupUniqArray(kind)), ', ') AS kinds
FROM (${findingsSql(waste.sql)}) GROUP BY sessionId`;
  const sql = toGrafana({
    sql: `SELECT l.sessionId AS sessionId, fromUnixTimestamp64Milli(toInt64(l.startMs)) AS start, l.team AS team, l.repository AS repository,
  l.harness AS harness, l.useCase AS useCase, l.spendUsd AS spendUsd, l.leverage AS leverage, l.wasteUsd AS wasteUsd,
  ifNull(f.findings, 0) AS findings, ifNull(f.kinds, '') AS wasteKinds, l.tokens AS tokens, l.modelCalls AS modelCalls,
  l.toolCalls AS toolCalls, l.failures AS failures, l.linesAdded AS linesAdded, l.linesRemoved AS linesRemoved, t.TraceId AS traceId
FROM (${list.sql}) AS l
LEFT JOIN (${findings}) AS f ON f.findingsSession = l.sessionId
LEFT JOIN (SELECT SessionId, argMin(TraceId, Timestamp) AS TraceId FROM spans FINAL WHERE ${scopeWhere(SCOPE).sql} GROUP BY SessionId) AS t ON t.SessionId = l.sessionId
ORDER BY spendUsd DESC, sessionId`,
    params: { ...list.params, ...waste.params },
  });
  const link = { title: 'Open trace', url: traceLinkUrl(), targetBlank: false };
  return {
    uid: 'fulcrum-sessions',
    title: 'Fulcrum / Sessions',
    description: 'Sessions with spend, leverage and waste findings; each opens its trace.',
    tags: ['sessions'],
    panels: [
      {
        type: 'table',
        title: 'Sessions',
        description: 'Most expensive first (200 at most). Click a session to open its trace (the first trace of the session).',
        sql,
        needs: { columns: ['sessionId', 'start', 'team', 'repository', 'spendUsd', 'leverage', 'wasteUsd', 'findings', 'traceId'] },
        w: 24,
        h: 20,
        fieldConfig: {
          defaults: {},
          overrides: [
            { matcher: { id: 'byName', options: 'sessionId' }, properties: [{ id: 'links', value: [link] }] },
            { matcher: { id: 'byName', options: 'traceId' }, properties: [{ id: 'links', value: [link] }] },
            { matcher: { id: 'byRegexp', options: '^(spendUsd|wasteUsd)$' }, properties: [{ id: 'unit', value: 'currencyUSD' }] },
            { matcher: { id: 'byName', options: 'leverage' }, properties: [{ id: 'decimals', value: 1 }] },
          ],
        },
        options: { showHeader: true, sortBy: [{ displayName: 'spendUsd', desc: true }] },
      },
    ],
  };
}
