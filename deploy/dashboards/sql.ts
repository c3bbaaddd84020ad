import { DEFAULT_WEIGHTS, scopeWhere, summariesIn, weightParams, WEIGHTED_ACTIVITY_SQL, type QueryScope } from '@fulcrum/query';

/*
 * Dashboard SQL reads what the analysis engine materialised (session
 * summaries, span verdicts) in the query package's own shapes, turned into
 * Grafana SQL:
 * - the scope condition (project and time range, bound parameters) becomes
 *   the dashboard's: the project variable, $__timeFilter on the column the
 *   query package bounds (Start over summaries, Timestamp over spans), and
 *   team and repository variables that drop out when All is selected;
 * - a bare project parameter (findings' `Project = {project:String}`) becomes
 *   the project variable;
 * - every other bound parameter (weights, thresholds, limits) becomes a typed
 *   literal, since Grafana sends text, not parameters.
 * So a change to how the query package reads leverage, waste or runaways
 * reaches the dashboards when they are rebuilt, and a test fails until then.
 */

/** The scope the query package is asked for: only project and time range, so its condition is recognisable. */
export const SCOPE: QueryScope = { project: '\u0000project', since: new Date(0), until: new Date(1000) };

/** The time column a scope condition bounds: when a session started (summaries), or a span's start (spans). */
export type TimeColumn = 'Start' | 'Timestamp';

export const GRAFANA_PROJECT = '${project:singlequote}';

/** What the scope condition becomes on a dashboard. */
export function grafanaWhere(time: TimeColumn): string {
  return [
    `Project = ${GRAFANA_PROJECT}`,
    `$__timeFilter(${time})`,
    '$__conditionalAll(Team IN (${team:singlequote}), $team)',
    '$__conditionalAll(Repository IN (${repository:singlequote}), $repository)',
  ].join(' AND ');
}

const SCOPE_PARAMS = new Set(['project', 'since', 'until']);

/** A query the query package ran, as captured: text and bound parameters. */
export interface Captured {
  sql: string;
  params: Record<string, unknown>;
}

/** A stand-in client that records each query instead of running it, so the exact SQL of a query function can be taken. */
export function recordingClient(): { client: never; queries: Captured[] } {
  const queries: Captured[] = [];
  const client = {
    query: async ({ query, query_params }: { query: string; query_params?: Record<string, unknown> }) => {
      queries.push({ sql: query, params: query_params ?? {} });
      return { json: async () => [] };
    },
  };
  return { client: client as never, queries };
}

/** Runs a query-package function against the recording client and returns every query it ran, in order. */
export async function captureAll(run: (client: never, scope: QueryScope) => Promise<unknown>): Promise<Captured[]> {
  const { client, queries } = recordingClient();
  await run(client, SCOPE);
  return queries;
}

/** Runs a query-package function against the recording client and returns the one query it ran. */
export async function capture(run: (client: never, scope: QueryScope) => Promise<unknown>): Promise<Captured> {
  const queries = await captureAll(run);
  if (queries.length !== 1) throw new Error(`expected one query, captured ${queries.length}`);
  return queries[0]!;
}

/** Bound parameters other than the scope's as typed literals; scope parameters are left for toGrafana. */
export function inline(sql: string, params: Record<string, unknown>): string {
  // (?<!\$): Grafana's own ${var:format} is no parameter.
  return sql.replace(/(?<!\$)\{(\w+):([^{}]+)\}/g, (m, name: string, type: string) => {
    if (SCOPE_PARAMS.has(name)) return m;
    if (!(name in params)) throw new Error(`no value for parameter ${name}`);
    return literal(params[name], type.trim(), name);
  });
}

/** The Grafana form of a captured query: parameters inlined, scope condition replaced. */
export function toGrafana({ sql, params }: Captured): string {
  let out = inline(sql, params);
  let scoped = false;
  for (const time of ['Start', 'Timestamp'] as const) {
    const where = scopeWhere(SCOPE, time).sql;
    if (!out.includes(where)) continue;
    out = out.split(where).join(grafanaWhere(time));
    scoped = true;
  }
  if (!scoped) throw new Error('query does not use the scope condition; cannot scope it to the dashboard');
  out = out.split('Project = {project:String}').join(`Project = ${GRAFANA_PROJECT}`);
  const left = /\{(project|since|until):[^{}]+\}/.exec(out.replace(/\$\{[^}]*\}/g, ''));
  if (left) throw new Error(`scope parameter ${left[1]} used outside the scope condition`);
  return out;
}

/**
 * The materialised sessions in range, as a FROM clause: summariesIn's
 * (session_summaries FINAL, bounded by when a session started), optionally
 * with one of its Nested columns array-joined.
 */
export function summaries(options: Parameters<typeof summariesIn>[1] = {}): string {
  return toGrafana(summariesIn(SCOPE, options));
}

/** Σ(activity × weight) of a summary row, the query package's expression with the default weights as literals. */
export const WEIGHTED = inline(WEIGHTED_ACTIVITY_SQL, weightParams(DEFAULT_WEIGHTS)).replace(/\s*\n\s*/g, ' ');

/** Leverage over a group of summary rows: Σ(activity × weight) / Σ spend (not a mean of ratios). */
export const LEVERAGE = `if(sum(SpendUsd) > 0, sum(${WEIGHTED}) / sum(SpendUsd), NULL)`;

/** A typed SQL literal for a bound value. */
export function literal(value: unknown, type: string, name = '?'): string {
  const array = /^Array\((.+)\)$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) throw new Error(`${name}: expected an array for ${type}`);
    return `CAST([${value.map((v) => literal(v, array[1]!, name)).join(', ')}] AS ${type})`;
  }
  if (type === 'String') return quote(String(value));
  if (/^U?Int\d+$/.test(type)) {
    if (!Number.isInteger(value)) throw new Error(`${name}: expected an integer for ${type}, got ${value}`);
    // Plain digits: window frame offsets (ROWS n PRECEDING) accept only literals.
    return String(value);
  }
  if (/^Float\d+$/.test(type)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${name}: expected a number for ${type}`);
    return `to${type}(${value})`;
  }
  throw new Error(`${name}: no literal form for type ${type}`);
}

export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
