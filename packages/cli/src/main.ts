import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { serveCommand } from './commands/serve.js';
import { migrateCommand } from './commands/migrate.js';
import { keysCommand } from './commands/keys.js';
import { sessionsCommand } from './commands/sessions.js';
import { sessionCommand } from './commands/session.js';
import { reportCommand } from './commands/report.js';
import { leverageCommand } from './commands/leverage.js';
import { demoCommand } from './commands/demo.js';
import { importCommand } from './commands/import.js';
import { reanalyseCommand } from './commands/reanalyse.js';
import { configCommand } from './commands/config.js';
import { gitCommand } from './commands/git.js';
import { outcomesCommand } from './commands/outcomes.js';
import { guardCommand } from './commands/guard.js';

export const MAIN_HELP = `Usage: fulcrum <command> [options]

Measures the leverage of human-agent coding sessions from OpenTelemetry.

Commands:
  serve        start the OTLP/HTTP receiver and HTTP API
  keys         create, list and revoke per-project API keys
  import       import Claude Code, Codex or Gemini CLI session transcripts
  reanalyse    classify stored sessions again after a rule or config change
  migrate      apply schema migrations (--cluster NAME for a ClickHouse cluster, --print for DDL)
  sessions     list sessions with spend, tokens, failures, leverage and waste
  session      show one session as a tree with waste marked inline
  report       spend, leverage, waste by category, worst sessions, runaway spend
  leverage     leverage in total and by team, repository, harness or use case
  demo         start the server, send a week of sample sessions, print the report
  config       show the analysis settings in effect (fulcrum.config.json) and their sources
  outcomes     what landed: commits, landed lines, reverts, $ per accepted change, abandoned spend
  git sync     store what landed on a repository's default branch (commits, PRs, agent co-authors, lines)
  guard        budgets and loop breakers inside Claude Code, Codex and Gemini CLI (hooks; install, uninstall)

Run "fulcrum <command> --help" (or "fulcrum help <command>") for a command's options.
`;

type Command = (argv: string[], env: NodeJS.ProcessEnv) => Promise<number | void>;

/** Every command, by name. Commands added by other modules register here. */
export const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  keys: keysCommand,
  sessions: sessionsCommand,
  session: sessionCommand,
  report: reportCommand,
  leverage: leverageCommand,
  demo: demoCommand,
  import: importCommand,
  reanalyse: reanalyseCommand,
  config: configCommand,
  git: gitCommand,
  outcomes: outcomesCommand,
  guard: guardCommand,
};

/** Runs one CLI invocation; returns the exit code. Only this layer reads the environment. */
export async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (!name) {
    // No command is a usage error: the help goes where errors go.
    process.stderr.write(MAIN_HELP);
    return 2;
  }
  if (name === 'help' && rest.length > 0) {
    const [topic, ...extra] = rest;
    if (extra.length) throw new UsageError(`help takes one command, got ${rest.length} (run "fulcrum --help")`);
    const of = COMMANDS[topic!];
    if (!of) throw new UsageError(`unknown command "${topic}" (run "fulcrum --help")`);
    return (await of(['--help'], env)) ?? 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(MAIN_HELP);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}" (run "fulcrum --help")`);
  return (await command(rest, env)) ?? 0;
}
