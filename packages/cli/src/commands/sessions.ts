import type { SessionSummary } from '@fulcrum/query';
import { QUERY_HELP } from '../query/flags.js';
import { runQueryCommand } from '../query/run.js';
import { int, renderTable, score, tokens, usd, type Column } from '../render/table.js';

export const SESSIONS_HELP = `Usage: fulcrum sessions [options]

Lists sessions with spend, tokens, calls, failures, leverage and waste.

Options:
  --sort <by>             start (default), spend, waste or leverage
  --limit <n>             sessions to list (default 50)
${QUERY_HELP}
  -h, --help              show this help
`;

const COLUMNS: Column<SessionSummary>[] = [
  { header: 'session', cell: (s) => s.sessionId },
  { header: 'start', cell: (s) => s.start.slice(0, 16).replace('T', ' ') },
  { header: 'team', cell: (s) => s.team || '-' },
  { header: 'repository', cell: (s) => s.repository || '-' },
  { header: 'harness', cell: (s) => s.harness || '-' },
  { header: 'spend', cell: (s) => usd(s.spendUsd), align: 'right' },
  { header: 'tokens', cell: (s) => tokens(s.tokens), align: 'right' },
  { header: 'tools', cell: (s) => int(s.toolCalls), align: 'right' },
  { header: 'failed', cell: (s) => int(s.failures), align: 'right' },
  { header: 'leverage', cell: (s) => score(s.leverage), align: 'right' },
  { header: 'waste', cell: (s) => usd(s.wasteUsd), align: 'right' },
];

export function renderSessions(rows: SessionSummary[], format: 'table' | 'md'): string {
  if (rows.length === 0) return 'no sessions in scope\n';
  const cols = rows.some((r) => r.userId !== undefined) ? [...COLUMNS.slice(0, 2), { header: 'user', cell: (s: SessionSummary) => s.userId || '-' }, ...COLUMNS.slice(2)] : COLUMNS;
  return renderTable(rows, cols, format);
}

export function sessionsCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runQueryCommand<SessionSummary[]>({
    help: SESSIONS_HELP,
    endpoint: 'sessions',
    flags: { sort: { type: 'string' }, limit: { type: 'string' } },
    extra: (v) => ({ sort: v.sort as string | undefined, limit: v.limit as string | undefined }),
    render: renderSessions,
  }, argv, env);
}
