import { ACTIVITIES, BUDGET_PARAMS, type BudgetParam, type QueryParams } from '@fulcrum/query';
import { STORE_FLAGS, STORE_HELP } from '../store-flags.js';
import { UsageError } from '../errors.js';

/** Flags every query command takes. Their names mirror the API's query parameters. */
export const QUERY_FLAGS = {
  ...STORE_FLAGS,
  format: { type: 'string' },
  server: { type: 'string' },
  'api-key': { type: 'string' },
  project: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  team: { type: 'string' },
  repository: { type: 'string' },
  harness: { type: 'string' },
  'use-case': { type: 'string' },
  user: { type: 'string' },
  individual: { type: 'boolean' },
  'min-repeat': { type: 'string' },
  config: { type: 'string' },
} as const;

export const QUERY_HELP = `  --format <f>            table (default), json or md
  --since <t> / --until <t>  ISO date/time or a duration before now: 30m, 24h, 7d, 2w
  --team / --repository / --harness / --use-case <v>   narrow the scope
  --project <p>           project (default "default", env FULCRUM_PROJECT)
  --individual            opt in to individual-level views (needed for --user, --by user)
  --user <id>             one user's sessions (with --individual)
  --min-repeat <n>        session view: identical calls that make a loop when classifying it live
                          (default waste.minRepeat; reports read the stored analysis)
  --config <file>         weights, budgets, repeat threshold (default <data dir>/fulcrum.config.json)
  --server <url>          ask a running "fulcrum serve" (env FULCRUM_SERVER; found from the
                          data dir when a server holds it)
  --api-key <key>         API key for a server that requires one (env FULCRUM_API_KEY)
${STORE_HELP}`;

/** --weight activity=n (repeatable): leverage, report, sessions. */
export const WEIGHT_FLAG = { weight: { type: 'string', multiple: true } } as const;
export const WEIGHT_HELP = `  --weight <a>=<n>        leverage weight of an activity, overriding weights.<a> in the config file
                          (repeatable; ${ACTIVITIES.join(', ')}): --weight linesAdded=1.5`;

/** --session-budget, --team-budget, --repository-budget: report. */
export const BUDGET_FLAGS = Object.fromEntries(Object.values(BUDGET_PARAMS).map((b) => [b.flag, { type: 'string' }])) as Record<(typeof BUDGET_PARAMS)[BudgetParam]['flag'], { type: 'string' }>;
export const BUDGET_HELP = `  --session-budget <$>    $ per session window (default budgets.sessionUsd in the config file: 25)
  --team-budget <$>       $ per team window per team (default budgets.teamUsd; 0 = none)
  --repository-budget <$> $ per team window per repository (default budgets.repositoryUsd; 0 = none)`;

/** --weight and budget flags → the API's weight.<activity> and *BudgetUsd parameters. */
export function weightAndBudgetParams(values: Record<string, unknown>): Partial<QueryParams> {
  const out: Partial<QueryParams> = {};
  for (const [param, { flag }] of Object.entries(BUDGET_PARAMS) as [BudgetParam, (typeof BUDGET_PARAMS)[BudgetParam]][]) {
    if (values[flag] !== undefined) out[param] = values[flag] as string;
  }
  for (const w of (values.weight as string[] | undefined) ?? []) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*)$/.exec(w);
    const activity = ACTIVITIES.find((a) => a === m?.[1]);
    if (!m || !activity) throw new UsageError(`--weight must be <activity>=<number> with activity one of ${ACTIVITIES.join(', ')}, got "${w}"`);
    out[`weight.${activity}`] = m[2]!;
  }
  return out;
}

export type Format = 'table' | 'json' | 'md';

export function formatOf(v: unknown, allowed: readonly Format[] = ['table', 'json', 'md']): Format {
  const f = (v as string | undefined) ?? 'table';
  if (!allowed.includes(f as Format)) throw new UsageError(`--format must be one of ${allowed.join(', ')}, got "${f}"`);
  return f as Format;
}

/** Flag values → the API's parameter names. */
export function queryParams(values: Record<string, unknown>, env: NodeJS.ProcessEnv, extra: Partial<QueryParams> = {}): QueryParams {
  const s = (k: string) => values[k] as string | undefined;
  return {
    project: s('project') ?? env.FULCRUM_PROJECT,
    since: s('since'), until: s('until'), team: s('team'), repository: s('repository'), harness: s('harness'),
    useCase: s('use-case'), user: s('user'), individual: values.individual === true ? 'true' : undefined,
    minRepeat: s('min-repeat'),
    ...extra,
  };
}
