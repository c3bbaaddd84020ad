/*
 * What a panel's SQL becomes before ClickHouse sees it, in the order Grafana
 * and grafana-clickhouse-datasource (v4) do it:
 * 1. the plugin's frontend replaces $__conditionalAll(condition, $var) with
 *    the condition, or 1=1 when the variable is All or empty
 *    (applyConditionalAll in src/data/CHDatasource.ts);
 * 2. Grafana's template service interpolates variables ($var, ${var},
 *    ${var:format}, [[var]]), formatting values the way the plugin asks when
 *    no format is given: a multi-value as 'a','b', a single value raw;
 * 3. the plugin's backend expands its macros (pkg/macros/macros.go, through
 *    sqlds): $__timeFilter(c) → c >= toDateTime(from) AND c <= toDateTime(to),
 *    $__fromTime → toDateTime(from), $__timeInterval(c) →
 *    toStartOfInterval(toDateTime(c), INTERVAL n second), ... with from/to in
 *    Unix seconds and n the panel interval in whole seconds (at least 1).
 */

export interface VariableState {
  /** The selection: one value, several, or ['$__all'] / '$__all'. */
  current: string | string[];
  /** Every value the variable offers (what All stands for when no allValue is set). */
  options?: string[];
  /** Custom value for All. */
  allValue?: string;
}

export interface ExpandContext {
  from: Date;
  to: Date;
  /** The panel's interval ($__interval), in ms. */
  intervalMs: number;
  variables: Record<string, VariableState>;
}

const ALL = '$__all';

export function expand(sql: string, ctx: ExpandContext): string {
  return expandMacros(interpolate(applyConditionalAll(sql, ctx.variables), ctx), ctx);
}

/** Step 1, as the plugin does it: innermost-last, by literal text replacement. */
export function applyConditionalAll(rawQuery: string, variables: Record<string, VariableState>): string {
  const macro = '$__conditionalAll(';
  let index = rawQuery.lastIndexOf(macro);
  while (index !== -1) {
    const params = macroArgs(rawQuery, index + macro.length - 1);
    if (params.length !== 2) return rawQuery;
    const templateVar = params[1]!.trim();
    // The plugin strips exactly one leading character: `$team` names the variable, `${team}` names none.
    const v = variables[templateVar.substring(1)];
    const value = v === undefined ? undefined : String(v.current);
    const phrase = value === '' || value === ALL ? '1=1' : params[0]!;
    rawQuery = rawQuery.replace(`${macro}${params[0]},${params[1]})`, () => phrase);
    index = rawQuery.lastIndexOf(macro);
  }
  return rawQuery;
}

/** The plugin's getMacroArgs: splits on commas at depth one, from the opening parenthesis. */
function macroArgs(query: string, argsIndex: number): string[] {
  const args: string[] = [];
  const re = /\(|\)|,/g;
  let depth = 0;
  let last = 1;
  const s = query.substring(argsIndex);
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (m[0] === '(') depth++;
    else if (m[0] === ')') depth--;
    if (m[0] === ',' && depth === 1) {
      args.push(s.substring(last, re.lastIndex - 1));
      last = re.lastIndex;
    }
    if (depth === 0) {
      args.push(s.substring(last, re.lastIndex - 1));
      return args;
    }
  }
  return [];
}

/** Grafana's variable syntax (public/app/features/variables/utils.ts). */
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

/** Step 2: Grafana's templateSrv.replace with the plugin's format function. */
export function interpolate(sql: string, ctx: ExpandContext): string {
  return sql.replace(VARIABLE, (match, v1?: string, v2?: string, f2?: string, v3?: string, _path?: string, f3?: string) => {
    const name = v1 ?? v2 ?? v3!;
    const format = f2 ?? f3;
    const value = variableValue(name, ctx);
    if (value === undefined) return match;
    return formatValue(value, format);
  });
}

function variableValue(name: string, ctx: ExpandContext): string | string[] | undefined {
  if (name === '__from') return String(ctx.from.getTime());
  if (name === '__to') return String(ctx.to.getTime());
  if (name === '__interval_ms') return String(ctx.intervalMs);
  const v = ctx.variables[name];
  if (!v) return undefined;
  const selected = Array.isArray(v.current) ? v.current : [v.current];
  if (selected.includes(ALL)) return v.allValue ?? [...(v.options ?? [])];
  return Array.isArray(v.current) ? v.current : v.current;
}

function formatValue(value: string | string[], format: string | undefined): string {
  const list = Array.isArray(value) ? value : [value];
  switch (format) {
    case undefined:
      // The plugin's format(): arrays quoted and joined, single values as they are.
      return Array.isArray(value) ? `'${value.join("','")}'` : value;
    case 'singlequote':
      return list.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote':
      return list.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'sqlstring':
      return list.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
    case 'csv':
      return list.join(',');
    case 'raw':
      return list.join(',');
    default:
      throw new Error(`variable format ${format} is not modelled here`);
  }
}

type Macro = (args: string[], ctx: ExpandContext) => string;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const toDateTime = (d: Date) => `toDateTime(${seconds(d)})`;
const toDateTime64 = (d: Date) => `fromUnixTimestamp64Milli(${d.getTime()})`;
const toDate = (d: Date) => `toDate('${d.toISOString().slice(0, 10)}')`;
const one = (name: string, args: string[]) => {
  if (args.length !== 1) throw new Error(`$__${name}: expected 1 argument, received ${args.length}`);
  return args[0]!;
};

/** The plugin's backend macros (pkg/macros/macros.go). */
const MACROS: Record<string, Macro> = {
  fromTime: (_a, c) => toDateTime(c.from),
  toTime: (_a, c) => toDateTime(c.to),
  fromTime_ms: (_a, c) => toDateTime64(c.from),
  toTime_ms: (_a, c) => toDateTime64(c.to),
  timeFilter: (a, c) => { const col = one('timeFilter', a); return `${col} >= ${toDateTime(c.from)} AND ${col} <= ${toDateTime(c.to)}`; },
  timeFilter_ms: (a, c) => { const col = one('timeFilter_ms', a); return `${col} >= ${toDateTime64(c.from)} AND ${col} <= ${toDateTime64(c.to)}`; },
  dateFilter: (a, c) => { const col = one('dateFilter', a); return `${col} >= ${toDate(c.from)} AND ${col} <= ${toDate(c.to)}`; },
  timeInterval: (a, c) => `toStartOfInterval(toDateTime(${one('timeInterval', a)}), INTERVAL ${Math.max(Math.floor(c.intervalMs / 1000), 1)} second)`,
  timeInterval_ms: (a, c) => `toStartOfInterval(toDateTime64(${one('timeInterval_ms', a)}, 3), INTERVAL ${Math.max(c.intervalMs, 1)} millisecond)`,
  interval_s: (_a, c) => String(Math.max(Math.floor(c.intervalMs / 1000), 1)),
};

/**
 * Step 3, as sqlds finds macros: `$__name` at a word boundary, with an
 * optional parenthesised argument list (balanced), arguments split on commas
 * and trimmed.
 */
export function expandMacros(sql: string, ctx: ExpandContext): string {
  return sql.replace(/\$__(\w+)\b(\((?:[^()]|\([^()]*\))*\))?/g, (match, name: string, argList?: string) => {
    const macro = MACROS[name];
    if (!macro) return match;
    const args = argList ? argList.slice(1, -1).split(',').map((a) => a.trim()) : [];
    return macro(args, ctx);
  });
}
