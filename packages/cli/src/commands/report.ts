import type { Report } from '@fulcrum/query';
import { BUDGET_FLAGS, BUDGET_HELP, QUERY_HELP, WEIGHT_FLAG, WEIGHT_HELP, weightAndBudgetParams } from '../query/flags.js';
import { runQueryCommand } from '../query/run.js';
import { renderReport } from '../render/report.js';

export const REPORT_HELP = `Usage: fulcrum report [options]

Spend, leverage, wasted dollars and tokens by category, spend over the
session, team and repository budgets, the worst sessions with their findings,
and runaway-spend signals for a time range and scope.

Spend over budget is Σ max(0, window spend − budget): over each session's
windows for the session budget, over each team's (repository's) team windows
for the team (repository) budget. Calls to models missing from the price table
are counted, not priced: add them under "prices" in the config file.

Options:
  --by <dim>              breakdown: team (default), repository, harness, use-case; user with --individual
  --worst <n>             worst sessions to list (default 10)
${BUDGET_HELP}
${WEIGHT_HELP}
${QUERY_HELP}
  -h, --help              show this help
`;

export function reportCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runQueryCommand<Report>({
    help: REPORT_HELP,
    endpoint: 'report',
    flags: { by: { type: 'string' }, worst: { type: 'string' }, ...BUDGET_FLAGS, ...WEIGHT_FLAG },
    extra: (v) => ({ by: v.by as string | undefined, worst: v.worst as string | undefined, ...weightAndBudgetParams(v) }),
    sessionsIn: (r) => r.total.sessions,
    render: renderReport,
  }, argv, env);
}
