import type { SessionDetail } from '@fulcrum/query';
import { QUERY_HELP } from '../query/flags.js';
import { runQueryCommand } from '../query/run.js';
import { renderSessionTree } from '../render/tree.js';

export const SESSION_HELP = `Usage: fulcrum session <session-id> [options]

Shows one session as a tree (agent, model calls, tools, skills, MCP, subagents)
with each span's duration, tokens and cost, and waste marked inline.

Options:
${QUERY_HELP}
  -h, --help              show this help
`;

export function sessionCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runQueryCommand<SessionDetail>({ help: SESSION_HELP, endpoint: 'session', positional: 'session id', render: renderSessionTree }, argv, env);
}
