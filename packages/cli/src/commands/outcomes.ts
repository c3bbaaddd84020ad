import type { OutcomesResult } from '@fulcrum/query';
import { QUERY_HELP, WEIGHT_FLAG, WEIGHT_HELP, weightAndBudgetParams } from '../query/flags.js';
import { runQueryCommand } from '../query/run.js';
import { renderOutcomes } from '../render/outcomes.js';

export const OUTCOMES_HELP = `Usage: fulcrum outcomes [options]

What the sessions' work became on the default branch, in total and per group,
once "fulcrum git sync" has read the repository: commits and PRs landed,
lines written and landed (estimated from line counts), landing rate,
survival after 30 days and rework within 21 days (when computed), revert rate,
$ per landed commit and per PR, spend of sessions that landed nothing,
leverage on landed lines, and tool calls per human prompt.
Sessions are linked to commits by a session trailer, else by the commit a tool
call of theirs made (the hash the harness or git printed), else by the files
they edited in the same repository within 7 days before it (docs/outcomes.md).
Groups covering fewer people than privacy.minGroupSize (default 5) are withheld.

Options:
  --by <dim>              team (default), repository, harness, use-case, all (never per person)
${WEIGHT_HELP}
${QUERY_HELP}
  -h, --help              show this help
`;

export function outcomesCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runQueryCommand<OutcomesResult>({
    help: OUTCOMES_HELP,
    endpoint: 'outcomes',
    flags: { by: { type: 'string' }, ...WEIGHT_FLAG },
    extra: (v) => ({ by: v.by as string | undefined, ...weightAndBudgetParams(v) }),
    render: renderOutcomes,
  }, argv, env);
}
