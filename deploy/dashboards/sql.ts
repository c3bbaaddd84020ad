import { scopeWhere, type QueryScope } from '@fulcrum/query';

/*
 * Dashboard SQL is the query package's own SQL, turned into Grafana SQL:
 * - the scope condition (project and time range, bound parameters) becomes
 *   the dashboard's: the project variable, $__timeFilter, and team and
 *   repository variables that drop out when All is selected;
 * - every other bound parameter (tool lists, prices, weights, thresholds)
 *   becomes a typed literal, since Grafana sends text, not parameters.
 * So a change to how leverage or waste is computed reaches the dashboards
 * when they are rebuilt (npm run dashboards), and a test fails until then.
 */

/** The scope the query package is asked for: only project and time range, so its condition is recognisable. */
export const SCOPE: QueryScope = { project: '\u0000project', since: new Date(0), until: new Date(1000) };

/** What the scope condition becomes on a dashboard. */
export const GRAFANA_WHERE = [
  'Project = ${project:singlequote}',
  '$__timeFilter(Timestamp)',
  '$__conditionalAll(Team IN (${team:singlequote}), $team)',
  '$__conditionalAll(Repository IN (${repository:singlequote}), $repository)',
].join(' AND ');

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

/** Runs a query-package function against the recording client and returns the one query it ran. */
export async function capture(run: (client: never, scope: QueryScope) => Promise<unknown>): Promise<Captured> {
  const { client, queries } = recordingClient();
  await run(client, SCOPE);
  if (queries.length !== 1) throw new Error(`expected one query, captured ${queries.length}`);
  return queries[0]!;
}

/** The Grafana form of a captured query: parameters inlined, scope condition replaced. */
export function toGrafana({ sql, params }: Captured): string {
  const where = scopeWhere(SCOPE).sql;
  if (!sql.includes(where)) throw new Error('query does not use the scope condition; cannot scope it to the dashboard');
  let out = sql.replace(/\{(\w+):([^{}]+)\}/g, (m, name: string, type: string) => {
    if (SCOPE_PARAMS.has(name)) return m;
    if (!(name in params)) throw new Error(`no value for parameter ${name}`);
    return literal(params[name], type.trim(), name);
  });
  out = out.split(where).join(GRAFANA_WHERE);
  const left = /\{(project|since|until):[^{}]+\}/.exec(out.replace(/\$\{[^}]*\}/g, ''));
  if (left) throw new Error(`scope parameter ${left[1]} used outside the scope condition`);
  return out;
}

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
