import { Buffer } from 'node:buffer';

/*
 * Grafana dashboard JSON (schemaVersion 39+) for the ClickHouse plugin, kept
 * to what the dashboards use. Every panel and variable names its datasource
 * through the `datasource` variable only, so the dashboards work against
 * whatever ClickHouse datasource an installation provisions.
 */

export const PLUGIN_ID = 'grafana-clickhouse-datasource';
/**
 * The plugin version the queries are written for, stamped on queries whose
 * shape depends on it: without a pluginVersion the plugin takes a query for a
 * 3.x one and migrates it. docker-compose.yml installs this version.
 */
export const PLUGIN_VERSION = '4.20.0';
export const DATASOURCE = { type: PLUGIN_ID, uid: '${datasource}' } as const;

/**
 * What Grafana's trace view reads: a view of `spans FINAL` (a store
 * migration), so a span delivered twice and not yet merged shows once. The
 * datasource's provisioned traces table is the same.
 */
export const TRACE_TABLE = 'spans_trace';

/**
 * The query package aliases some aggregates with a column's name and runs with
 * prefer_column_name_to_alias = 1 so such an alias never shadows the column in
 * WHERE. Grafana's queries carry the setting themselves, so no datasource
 * configuration is needed. Grouping by session in sort-key order
 * (optimize_aggregation_in_order) streams findings instead of holding every
 * session's verdicts at once.
 */
export const QUERY_SETTINGS = 'SETTINGS prefer_column_name_to_alias = 1, optimize_aggregation_in_order = 1';

/** The plugin's query formats (Grafana's sqlds formats: 3 is a trace). */
export const FORMAT = { timeSeries: 0, table: 1, logs: 2, traces: 3 } as const;

export interface Target {
  refId: string;
  datasource: typeof DATASOURCE;
  editorType: 'sql';
  format: number;
  queryType: 'table' | 'timeseries';
  rawSql: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: typeof DATASOURCE;
  targets: Target[];
  fieldConfig: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  transformations?: unknown[];
}

/** The most SQL a panel may carry, in UTF-8 bytes: panels read materialised tables with short, plain queries. */
export const MAX_PANEL_SQL_BYTES = 2048;

/** What a panel's query must return, checked by the tests: columns by name, and whether a time column leads. */
export interface Needs {
  columns: string[];
  time?: boolean;
}

export interface PanelSpec {
  type: 'stat' | 'timeseries' | 'table' | 'barchart';
  title: string;
  description: string;
  sql: string;
  needs: Needs;
  w: number;
  h: number;
  unit?: string;
  fieldConfig?: Panel['fieldConfig'];
  options?: Record<string, unknown>;
}

/** Lays panels out left to right in rows of 24 columns, with ids in order. */
export function layout(specs: PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowH = 0;
  return specs.map((s, i) => {
    if (x + s.w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const gridPos = { x, y, w: s.w, h: s.h };
    x += s.w;
    rowH = Math.max(rowH, s.h);
    const timeSeries = s.type === 'timeseries';
    const rawSql = `${s.sql}\n${QUERY_SETTINGS}`;
    const bytes = Buffer.byteLength(rawSql);
    if (bytes >= MAX_PANEL_SQL_BYTES) throw new Error(`panel "${s.title}": ${bytes} bytes of SQL, the most is ${MAX_PANEL_SQL_BYTES - 1}`);
    return {
      id: i + 1,
      type: s.type,
      title: s.title,
      description: s.description,
      gridPos,
      datasource: DATASOURCE,
      targets: [{
        refId: 'A',
        datasource: DATASOURCE,
        editorType: 'sql',
        format: timeSeries ? FORMAT.timeSeries : FORMAT.table,
        queryType: timeSeries ? 'timeseries' : 'table',
        rawSql,
      }],
      fieldConfig: s.fieldConfig ?? { defaults: s.unit ? { unit: s.unit } : {}, overrides: [] },
      ...(s.options ? { options: s.options } : {}),
    };
  });
}

/**
 * A query variable over the values of one column of the sessions in range
 * (their materialised summaries, bounded by start like every session panel),
 * multi-value with All dropping the filter.
 */
function columnVariable(name: string, label: string, column: string) {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: `SELECT DISTINCT ${column} FROM session_summaries FINAL WHERE Project = \${project:singlequote} AND $__timeFilter(Start) AND ${column} != '' ORDER BY ${column}`,
    definition: `distinct ${column} of the project's sessions`,
    refresh: 2,
    multi: true,
    includeAll: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
}

export function variables() {
  return {
    list: [
      {
        name: 'datasource',
        label: 'ClickHouse',
        type: 'datasource',
        query: PLUGIN_ID,
        current: {},
        refresh: 1,
        hide: 0,
      },
      {
        name: 'project',
        label: 'Project',
        type: 'query',
        datasource: DATASOURCE,
        query: 'SELECT DISTINCT Project FROM session_summaries ORDER BY Project',
        definition: 'distinct Project of the analysed sessions',
        refresh: 1,
        multi: false,
        includeAll: false,
        current: { selected: true, text: 'default', value: 'default' },
      },
      columnVariable('team', 'Team', 'Team'),
      columnVariable('repository', 'Repository', 'Repository'),
    ],
  };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  panels: PanelSpec[];
  links?: unknown[];
}

export function dashboard(spec: DashboardSpec) {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['fulcrum', ...spec.tags],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-7d', to: 'now' },
    timepicker: {},
    timezone: 'utc',
    refresh: '',
    templating: variables(),
    annotations: { list: [] },
    links: [
      { type: 'dashboards', tags: ['fulcrum'], asDropdown: false, includeVars: true, keepTime: true, title: 'Fulcrum' },
      ...(spec.links ?? []),
    ],
    panels: layout(spec.panels),
  };
}
