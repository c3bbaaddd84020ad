import type { SessionSummary } from '@fulcrum/query';
import { QUERY_HELP, WEIGHT_FLAG, WEIGHT_HELP, weightAndBudgetParams } from '../query/flags.js';
import { runQueryCommand } from '../query/run.js';
import { renderSessions } from '../render/sessions.js';

export const SESSIONS_HELP = `Usage: fulcrum sessions [options]

Lists sessions with spend, tokens, calls, failures, leverage (weighted
activity per $) and waste, and says how many there are when --limit cuts the list.

Options:
  --sort <by>             start (default), spend, waste or leverage
  --limit <n>             sessions to list (default 50)
${WEIGHT_HELP}
${QUERY_HELP}
  -h, --help              show this help
`;

export function sessionsCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runQueryCommand<SessionSummary[]>({
    help: SESSIONS_HELP,
    endpoint: 'sessions',
    flags: { sort: { type: 'string' }, limit: { type: 'string' }, ...WEIGHT_FLAG },
    extra: (v) => ({ sort: v.sort as string | undefined, limit: v.limit as string | undefined, ...weightAndBudgetParams(v) }),
    sessionsIn: (rows, total) => total ?? rows.length,
    render: (rows, format, total) => renderSessions(rows, format, total),
  }, argv, env);
}
