/**
 * Which spans a query reads. Every query is scoped by project; the rest narrows
 * the time range and the aggregate dimensions. Values are always bound
 * parameters: only fixed fragments chosen here become SQL text.
 */
export interface QueryScope {
  /** Tenant; every query filters on it first (it leads the table's sort key). */
  project: string;
  /** Inclusive lower bound on span (or session) start. @default undefined (no bound) */
  since?: Date;
  /** Exclusive upper bound on span (or session) start. @default undefined (no bound) */
  until?: Date;
  team?: string;
  repository?: string;
  harness?: string;
  useCase?: string;
  /** One user's spans. Only honoured when `individual` is true. @default undefined */
  userId?: string;
  /** Opt-in to individual-level views (user filter, per-user grouping). @default false */
  individual?: boolean;
  /** One session only. @default undefined */
  sessionId?: string;
}

export interface BoundSql {
  sql: string;
  params: Record<string, unknown>;
}

const FILTERS = [
  ['team', 'Team'],
  ['repository', 'Repository'],
  ['harness', 'Harness'],
  ['useCase', 'UseCase'],
  ['sessionId', 'SessionId'],
] as const;

/** ClickHouse reads DateTime64 parameters as text; epoch seconds with a fraction is unambiguous. */
export function toChTime(d: Date): string {
  return (d.getTime() / 1000).toFixed(3);
}

/**
 * The WHERE conditions (joined by AND) and their parameters. Over spans the
 * time range bounds each span's Timestamp; over session_summaries
 * (`timeColumn: 'Start'`) it bounds when a session started, so a session is
 * counted whole or not at all.
 */
export function scopeWhere(scope: QueryScope, timeColumn: 'Timestamp' | 'Start' = 'Timestamp'): BoundSql {
  if (!scope.project) throw new Error('scope.project is required');
  const parts = ['Project = {project:String}'];
  const params: Record<string, unknown> = { project: scope.project };
  if (scope.since) {
    parts.push(`${timeColumn} >= {since:DateTime64(3)}`);
    params.since = toChTime(scope.since);
  }
  if (scope.until) {
    parts.push(`${timeColumn} < {until:DateTime64(3)}`);
    params.until = toChTime(scope.until);
  }
  for (const [key, column] of FILTERS) {
    const v = scope[key];
    if (v === undefined || v === '') continue;
    parts.push(`${column} = {${key}:String}`);
    params[key] = v;
  }
  if (scope.individual && scope.userId) {
    parts.push('UserId = {userId:String}');
    params.userId = scope.userId;
  }
  return { sql: parts.join(' AND '), params };
}
