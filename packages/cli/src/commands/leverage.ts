import type { LeverageResult } from '@fulcrum/query';
import { QUERY_HELP, WEIGHT_FLAG, WEIGHT_HELP, weightAndBudgetParams } from '../query/flags.js';
import { runQueryCommand } from '../query/run.js';
import { renderLeverage } from '../render/leverage.js';

export const LEVERAGE_HELP = `Usage: fulcrum leverage [options]

Leverage = Σ(activity × weight) / cost in $: weighted activity per $ spent,
in total and per group.
Weights: lines added 1, lines removed 0.875, refactors 0.75, skills 1, MCP 0.875.

Options:
  --by <dim>              team (default), repository, harness, use-case, all; user with --individual
${WEIGHT_HELP}
${QUERY_HELP}
  -h, --help              show this help
`;

export function leverageCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runQueryCommand<LeverageResult>({
    help: LEVERAGE_HELP,
    endpoint: 'leverage',
    flags: { by: { type: 'string' }, ...WEIGHT_FLAG },
    extra: (v) => ({ by: v.by as string | undefined, ...weightAndBudgetParams(v) }),
    sessionsIn: (r) => r.total.sessions,
    render: renderLeverage,
  }, argv, env);
}
