import type { GroupLeverage, LeverageResult } from '@fulcrum/query';
import { QUERY_HELP } from '../query/flags.js';
import { runQueryCommand } from '../query/run.js';
import { int, renderTable, score, usd, type Column } from '../render/table.js';

export const LEVERAGE_HELP = `Usage: fulcrum leverage [options]

Leverage = Σ(activity × weight) / cost in $, in total and per group.
Weights: lines added 1, lines removed 0.875, refactors 0.75, skills 1, MCP 0.875.

Options:
  --by <dim>              team (default), repository, harness, useCase, all; user with --individual
${QUERY_HELP}
  -h, --help              show this help
`;

export const groupColumns = (by: string): Column<GroupLeverage>[] => [
  { header: by, cell: (g) => g.key || '(none)' },
  { header: 'sessions', cell: (g) => int(g.sessions), align: 'right' },
  { header: 'spend', cell: (g) => usd(g.spendUsd), align: 'right' },
  { header: '+lines', cell: (g) => int(g.linesAdded), align: 'right' },
  { header: '-lines', cell: (g) => int(g.linesRemoved), align: 'right' },
  { header: 'refactors', cell: (g) => int(g.refactors), align: 'right' },
  { header: 'skills', cell: (g) => int(g.skills), align: 'right' },
  { header: 'mcp', cell: (g) => int(g.mcp), align: 'right' },
  { header: 'leverage', cell: (g) => score(g.leverage), align: 'right' },
  { header: 'waste', cell: (g) => usd(g.wasteUsd), align: 'right' },
];

export function renderLeverage(r: LeverageResult, format: 'table' | 'md'): string {
  const total = { ...r.total, key: 'total' };
  return renderTable([...r.groups, total], groupColumns(r.by), format);
}

export function leverageCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runQueryCommand<LeverageResult>({
    help: LEVERAGE_HELP,
    endpoint: 'leverage',
    flags: { by: { type: 'string' } },
    extra: (v) => ({ by: v.by as string | undefined }),
    render: renderLeverage,
  }, argv, env);
}
