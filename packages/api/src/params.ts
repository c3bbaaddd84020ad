import { ACTIVITIES } from '@fulcrum/query';

/** One query parameter of the API: its JSON schema (strings, as a query string gives them) and what it means. */
export interface ParamSpec {
  type: 'string';
  description: string;
  enum?: readonly string[];
  pattern?: string;
}

const text = (description: string): ParamSpec => ({ type: 'string', description });
const count = (description: string): ParamSpec => ({ type: 'string', pattern: '^[0-9]+$', description });

/**
 * Every query parameter the API takes, declared once. An endpoint names the
 * ones it takes (endpoints.ts); its query-string schema and its OpenAPI
 * parameters are built from these entries.
 */
export const PARAMS = {
  project: text("must match the request's project (the API key's, when keys are on)"),
  since: text('start of the time range: an ISO date/time, or a duration before now: 30m, 24h, 7d, 2w'),
  until: text('end of the time range: an ISO date/time, or a duration before now'),
  team: text('only sessions of this team'),
  repository: text('only sessions in this repository'),
  harness: text('only sessions of this harness: claude-code, codex, gemini-cli, sdk…'),
  useCase: text('only sessions of this use case'),
  user: text('only sessions of this user; needs individual=true'),
  individual: { type: 'string', enum: ['true', 'false', '1', '0'], description: 'opt in to individual-level views' },
  sort: { type: 'string', enum: ['spend', 'start', 'waste', 'leverage', 'tokens'], description: 'order of the list (default start)' },
  order: { type: 'string', enum: ['desc', 'asc'], description: 'direction of the sort (default desc)' },
  limit: count('most sessions answered (default 50)'),
  offset: count('sessions skipped before the first answered, for paging (default 0)'),
  // Not an enum: the query parser names the allowed values in its 400, and accepts use-case as the CLI spells it.
  by: text('breakdown: team (default), repository, harness, useCase (or use-case), user (needs individual=true), all'),
  bucket: text('width of a time bucket: 1h, 6h, 1d, 1w, or any duration such as 30m (default from the range: 1h up to 2 days, 1d up to 90 days, else 1w)'),
  minRepeat: count('identical calls that make a loop (default 3)'),
  worst: count('worst sessions listed in a report (default 10)'),
  // Not patterns: the query parser names the parameter and the value in its 400.
  sessionBudgetUsd: text("$ per session window; 0 = none (default the server's budgets.sessionUsd)"),
  teamBudgetUsd: text('$ per team window per team; 0 = none (default budgets.teamUsd)'),
  repositoryBudgetUsd: text('$ per team window per repository; 0 = none (default budgets.repositoryUsd)'),
  ...(Object.fromEntries(ACTIVITIES.map((a) => [`weight.${a}`, text(`leverage weight of ${a}, a non-negative number (default the server's weights.${a})`)])) as Record<`weight.${(typeof ACTIVITIES)[number]}`, ParamSpec>),
} as const satisfies Record<string, ParamSpec>;

export type ParamName = keyof typeof PARAMS;

/** The time range and the dimensions every answer can be narrowed to. */
export const SCOPE_PARAMS = ['project', 'since', 'until', 'team', 'repository', 'harness', 'useCase', 'user', 'individual'] as const satisfies readonly ParamName[];
export const WEIGHT_PARAM_NAMES = ACTIVITIES.map((a) => `weight.${a}` as const) satisfies readonly ParamName[];
export const BUDGET_PARAM_NAMES = ['sessionBudgetUsd', 'teamBudgetUsd', 'repositoryBudgetUsd'] as const satisfies readonly ParamName[];

/** The query-string schema of an endpoint that takes these parameters (routes.ts refuses any other with a 400). */
export function querystringSchema(names: readonly ParamName[]) {
  return { type: 'object', additionalProperties: false, properties: Object.fromEntries(names.map((n) => [n, PARAMS[n]])) } as const;
}
