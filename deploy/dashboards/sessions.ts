import { DATASOURCE, FORMAT, PLUGIN_VERSION, TRACE_TABLE, type DashboardSpec } from './model.js';
import { GRAFANA_PROJECT, summaries, WEIGHTED } from './sql.js';

/*
 * The sessions in range, most expensive first, with leverage and waste
 * findings from their materialised summaries, each linking to its trace in
 * Grafana's trace view. No user column: the individual view is opt-in.
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
  { name: 'TraceState', hint: 'trace_state' },
] as const;

/** Prefixes of the Nested span event and link columns (Events.Name, Links.TraceId, ...). */
export const TRACE_EVENTS_PREFIX = 'Events';
export const TRACE_LINKS_PREFIX = 'Links';

type Hint = (typeof TRACE_COLUMNS)[number]['hint'];

/**
 * The plugin's query builder options for one trace (QueryBuilderOptions in its
 * src/types/queryBuilder.ts): trace ID mode on the trace table, with
 * OpenTelemetry columns, nanosecond durations and the Nested (not flattened)
 * event and link columns. The database is left to the datasource's default.
 */
export function traceBuilderOptions(traceId: string) {
  return {
    database: '',
    table: TRACE_TABLE,
    queryType: 'traces',
    columns: TRACE_COLUMNS.map((c) => ({ ...c })),
    filters: [],
    orderBy: [],
    meta: {
      minimized: true,
      isTraceIdMode: true,
      traceId,
      otelEnabled: true,
      otelVersion: 'latest',
      traceDurationUnit: 'nanoseconds',
      flattenNested: false,
      traceEventsColumnPrefix: TRACE_EVENTS_PREFIX,
      traceLinksColumnPrefix: TRACE_LINKS_PREFIX,
    },
  };
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const column = (hint: Hint) => q(TRACE_COLUMNS.find((c) => c.hint === hint)!.name);
const attrs = (expr: string) => `arrayMap(key -> map('key', key, 'value', ${expr}[key]), mapKeys(${expr}))`;

/**
 * The SQL the plugin (v4.20.0, src/data/sqlGenerator.ts, generateTraceIdQuery)
 * generates for traceBuilderOptions(traceId): the columns Grafana's trace view
 * reads (traceID, spanID, ..., logs from span events, references from links).
 * The Explore link carries it ready to run, so nothing has to be regenerated.
 */
export function traceSql(traceId: string): string {
  const events = q(TRACE_EVENTS_PREFIX);
  const links = q(TRACE_LINKS_PREFIX);
  const select = [
    `${column('trace_id')} as traceID`,
    `${column('trace_span_id')} as spanID`,
    `${column('trace_parent_span_id')} as parentSpanID`,
    `${column('trace_service_name')} as serviceName`,
    `${column('trace_operation_name')} as operationName`,
    `multiply(toUnixTimestamp64Nano(${column('time')}), 0.000001) as startTime`,
    `multiply(${column('trace_duration_time')}, 0.000001) as duration`,
    `arrayMap(key -> map('key', key, 'value',${column('trace_tags')}[key]), mapKeys(${column('trace_tags')})) as tags`,
    `arrayMap(key -> map('key', key, 'value',${column('trace_service_tags')}[key]), mapKeys(${column('trace_service_tags')})) as serviceTags`,
    `if(${column('trace_status_code')} IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) as statusCode`,
    `arrayMap((name, timestamp, attributes) -> tuple(name, toString(toUnixTimestamp64Milli(timestamp)), ${attrs('attributes')})::Tuple(name String, timestamp String, fields Array(Map(String, String))), ${events}.Name, ${events}.Timestamp, ${events}.Attributes) AS logs`,
    `arrayMap((traceID, spanID, attributes) -> tuple(traceID, spanID, ${attrs('attributes')})::Tuple(traceID String, spanID String, tags Array(Map(String, String))), ${links}.TraceId, ${links}.SpanId, ${links}.Attributes) AS references`,
    `${column('trace_kind')} as kind`,
    `${column('trace_status_message')} as statusMessage`,
    `${column('trace_state')} as traceState`,
  ];
  return `SELECT ${select.join(', ')} FROM ${q(TRACE_TABLE)} WHERE traceID = '${traceId}'`;
}

/**
 * The Explore query that opens one trace: a SQL-editor query of the plugin's
 * 4.x shape (pluginVersion set, so it is not migrated as a 3.x query), in the
 * trace format, with the trace SQL filled in and the builder options it was
 * generated from kept under meta.builderOptions, where the plugin keeps them
 * for SQL queries.
 */
export function traceQuery(traceId: string) {
  const builderOptions = traceBuilderOptions(traceId);
  return {
    refId: 'A',
    datasource: DATASOURCE,
    pluginVersion: PLUGIN_VERSION,
    editorType: 'sql',
    queryType: 'traces',
    format: FORMAT.traces,
    rawSql: traceSql(traceId),
    meta: { builderOptions },
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
  // A session that started in range has its first span in range: its first trace is found among the spans in range.
  const sql = `SELECT l.*, t.traceId AS traceId
FROM (
  SELECT SessionId AS sessionId, Start AS start, Team AS team, Repository AS repository, Harness AS harness, UseCase AS useCase,
    SpendUsd AS spendUsd, if(SpendUsd > 0, ${WEIGHTED} / SpendUsd, NULL) AS leverage, WasteUsd AS wasteUsd,
    arraySum(Waste.Findings) AS findings, arrayStringConcat(Waste.Kind, ', ') AS wasteKinds, Tokens AS tokens,
    ModelCalls AS modelCalls, ToolCalls AS toolCalls, Failures AS failures, LinesAdded AS linesAdded, LinesRemoved AS linesRemoved
  FROM ${summaries()}
  ORDER BY SpendUsd DESC, SessionId
  LIMIT 200
) AS l
LEFT JOIN (
  SELECT SessionId, argMin(TraceId, Timestamp) AS traceId
  FROM spans FINAL
  WHERE Project = ${GRAFANA_PROJECT} AND $__timeFilter(Timestamp)
  GROUP BY SessionId
) AS t ON t.SessionId = l.sessionId
ORDER BY spendUsd DESC, sessionId`;
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
