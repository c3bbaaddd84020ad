import type { Report } from '@fulcrum/query';
import { QUERY_HELP } from '../query/flags.js';
import { runQueryCommand } from '../query/run.js';
import { renderReport } from '../render/report.js';

export const REPORT_HELP = `Usage: fulcrum report [options]

Spend, leverage, wasted dollars and tokens by category, the worst sessions
with their findings, and runaway-spend signals for a time range and scope.

Options:
  --by <dim>              breakdown: team (default), repository, harness, use-case; user with --individual
  --worst <n>             worst sessions to list (default 10)
${QUERY_HELP}
  -h, --help              show this help
`;

export function reportCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runQueryCommand<Report>({
    help: REPORT_HELP,
    endpoint: 'report',
    flags: { by: { type: 'string' }, worst: { type: 'string' } },
    extra: (v) => ({ by: v.by as string | undefined, worst: v.worst as string | undefined }),
    sessionsIn: (r) => r.total.sessions,
    render: renderReport,
  }, argv, env);
}
