import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ADAPTERS, GUARD_MODES, GuardConfigError, guardConfigOf, harnessNamed, installHooks, logLine, runHook, uninstallHooks,
  type GuardEvent, type GuardHarness, type GuardMode, type HooksChange, type RecordTarget,
} from '@fulcrum/guard';
import { parseFlags } from '../args.js';
import { UsageError } from '../errors.js';

// This module is the hook's entry point (bin.ts loads it alone for `fulcrum guard`): it must import nothing heavy.

export const GUARD_HELP = `Usage: fulcrum guard <claude-code|codex|gemini> [options]     (the hook command)
       fulcrum guard install <harness> [--project-dir DIR | --user] [--mode M] [--server URL] [--config FILE]
       fulcrum guard uninstall <harness> [--project-dir DIR | --user]

Budgets and loop breakers inside Claude Code, Codex and Gemini CLI, through
their hooks. Each decision is the waste classifier's verdict on the call about
to run (docs/guard.md): the report would later count the same call as waste.

Policies (each in the mode given, or as set in the config file's "guard" section):
  failing command   the 3rd run of a command identical to earlier failures, nothing changed between
  identical call    the call that makes a loop of identical consecutive calls (waste.minRepeat)
  re-read, search   a re-read of an unchanged file or a repeated search: allowed, with a note
  budget            the session's spend in its window reaches budgets.sessionUsd: calls refused,
                    session stopped; a warning at 80%

Modes: observe (record only), warn (allow, with a note to the model), enforce (deny, or stop).
Any error of the guard's own allows the call and writes one line to <state dir>/guard.log.

Hook options:
  --mode <mode>           observe, warn (default) or enforce
  --config <file>         fulcrum.config.json to read (default ./.fulcrum/data/fulcrum.config.json)
  --server <url>          record interventions in this Fulcrum server (default: $FULCRUM_SERVER, else
                          $OTEL_EXPORTER_OTLP_ENDPOINT, where the harness sends its telemetry);
                          the key is $FULCRUM_API_KEY (or $OTEL_EXPORTER_OTLP_HEADERS)
  --state-dir <dir>       per-session state (default $XDG_STATE_HOME/fulcrum/guard, else ~/.local/state/fulcrum/guard)

Install options:
  --project-dir <dir>     this project's settings (default: the current directory)
  --user                  the user's settings instead (~/.claude, $CODEX_HOME or ~/.codex, ~/.gemini)
  --mode, --server, --config, --state-dir   written into the hook command
  -h, --help              show this help
`;

const HOOK_FLAGS = { mode: { type: 'string' }, config: { type: 'string' }, server: { type: 'string' }, 'state-dir': { type: 'string' } } as const;
const INSTALL_FLAGS = { ...HOOK_FLAGS, 'project-dir': { type: 'string' }, user: { type: 'boolean' } } as const;

function harnessArg(name: string | undefined): GuardHarness {
  const h = name === undefined ? undefined : harnessNamed(name);
  if (!h) throw new UsageError(`guard needs a harness: claude-code, codex or gemini${name ? `, got "${name}"` : ''} (run "fulcrum guard --help")`);
  return h;
}

function modeArg(value: string | undefined): GuardMode {
  if (value === undefined) return 'warn';
  if (!(GUARD_MODES as readonly string[]).includes(value)) throw new UsageError(`--mode must be one of ${GUARD_MODES.join(', ')}, got "${value}"`);
  return value as GuardMode;
}

export async function guardCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(GUARD_HELP);
    return first === undefined ? 2 : 0;
  }
  if (first === 'install' || first === 'uninstall') return installCommand(first, rest, env);
  return hookCommand(first, rest, env);
}

function stateDirOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return resolve(flag);
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'fulcrum', 'guard');
}

/** Where interventions go: --server, $FULCRUM_SERVER, else the OTLP endpoint the harness exports to (with its headers). */
function recordTarget(flag: string | undefined, env: NodeJS.ProcessEnv): RecordTarget | undefined {
  const url = flag || env.FULCRUM_SERVER || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!url) return undefined;
  const headers: Record<string, string> = {};
  if (!flag && !env.FULCRUM_SERVER && env.OTEL_EXPORTER_OTLP_HEADERS) {
    for (const pair of env.OTEL_EXPORTER_OTLP_HEADERS.split(',')) {
      const at = pair.indexOf('=');
      if (at > 0) headers[pair.slice(0, at).trim().toLowerCase()] = pair.slice(at + 1).trim();
    }
  }
  if (env.FULCRUM_API_KEY) headers.authorization = `Bearer ${env.FULCRUM_API_KEY}`;
  const resource: Record<string, string> = {};
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim().startsWith('fulcrum.')) resource[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return { url, headers, resource };
}

/**
 * The hook itself. Whatever goes wrong it answers "nothing to say" and exits 0,
 * so the harness goes on as if no hook were installed; a bad flag is the only
 * error it reports, since that is a broken install, not a call to judge.
 */
async function hookCommand(name: string, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const harness = harnessArg(name);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(GUARD_HELP);
    return 0;
  }
  // Exit code 2 blocks the call in Claude Code and Codex, and any text with a code above 1 does in
  // Gemini CLI: even a broken install (a bad flag) must allow the call, with one line in the log.
  let values: Record<string, unknown> = {};
  try {
    values = parseFlags(argv, HOOK_FLAGS).values;
    modeArg(values.mode as string | undefined);
  } catch (err) {
    logLine(stateDirOf(undefined, env), `${harness} hook flags refused, call allowed: ${(err as Error).message}`);
    process.stdout.write(ADAPTERS[harness].reply({ action: 'none' }, { hookEventName: '', kind: 'other' } as GuardEvent).stdout);
    return 0;
  }
  const mode = modeArg(values.mode as string | undefined);
  const stateDir = stateDirOf(values['state-dir'] as string | undefined, env);
  let config;
  try {
    config = guardConfigOf(readConfigFile(values.config as string | undefined), mode);
  } catch (err) {
    logLine(stateDir, `${harness} config refused, using defaults: ${(err as Error).message}`);
    config = guardConfigOf(undefined, mode);
  }
  let input = '';
  try {
    input = readFileSync(0, 'utf8');
  } catch (err) {
    logLine(stateDir, `${harness} could not read the hook input, call allowed: ${(err as Error).message}`);
  }
  const result = await runHook({ harness, input, stateDir, config, record: recordTarget(values.server as string | undefined, env) });
  if (result.error) logLine(stateDir, `${harness} allowed the call after an error of its own: ${result.error.name}: ${result.error.message}`);
  process.stdout.write(result.reply.stdout);
  return result.reply.exitCode;
}

function readConfigFile(path: string | undefined): unknown {
  const file = path ?? join('.fulcrum', 'data', 'fulcrum.config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (path === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GuardConfigError(file, `not valid JSON (${(err as Error).message})`);
  }
}

/** The file a harness's hooks live in, for a project or the user. */
function hooksFile(harness: GuardHarness, projectDir: string | undefined, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || homedir();
  if (harness === 'claude-code') return projectDir ? join(projectDir, '.claude', 'settings.json') : join(env.CLAUDE_CONFIG_DIR || join(home, '.claude'), 'settings.json');
  if (harness === 'codex') return projectDir ? join(projectDir, '.codex', 'hooks.json') : join(env.CODEX_HOME || join(home, '.codex'), 'hooks.json');
  return projectDir ? join(projectDir, '.gemini', 'settings.json') : join(home, '.gemini', 'settings.json');
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The hook command line: this node and this fulcrum, by absolute path, so it runs whatever PATH the harness has. */
function hookCommandLine(harness: GuardHarness, values: Record<string, unknown>): string {
  // This module runs from dist/commands/ or, bundled, from dist/: the package's bin/ is one or two levels up.
  const bin = ['../bin/fulcrum.js', '../../bin/fulcrum.js'].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
  if (!bin) throw new UsageError('cannot find the fulcrum CLI (packages/cli/bin/fulcrum.js) to write into the hook');
  const parts = [process.execPath, bin, 'guard', harness, '--mode', modeArg(values.mode as string | undefined)];
  if (values.server) parts.push('--server', String(values.server));
  if (values.config) parts.push('--config', resolve(String(values.config)));
  if (values['state-dir']) parts.push('--state-dir', resolve(String(values['state-dir'])));
  return parts.map(quote).join(' ');
}

function installCommand(action: 'install' | 'uninstall', argv: string[], env: NodeJS.ProcessEnv): number {
  const { values, positionals } = parseFlags(argv, INSTALL_FLAGS, true);
  if (values.help) {
    process.stdout.write(GUARD_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`guard ${action} takes one harness, got ${positionals.length}`);
  const harness = harnessArg(positionals[0]);
  if (values.user && values['project-dir']) throw new UsageError('--user and --project-dir name different files: give one');
  const projectDir = values.user ? undefined : resolve((values['project-dir'] as string | undefined) ?? '.');
  if (values.config && !isAbsolute(String(values.config)) && action === 'install') values.config = resolve(String(values.config));
  const file = hooksFile(harness, projectDir, env);
  let change: HooksChange;
  try {
    change = action === 'install' ? installHooks({ harness, file, command: hookCommandLine(harness, values) }) : uninstallHooks({ harness, file });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const what = action === 'install' ? `guard hooks (${change.events.join(', ')})` : 'guard hooks';
  const verb = action === 'install' ? (change.changed ? 'installed' : 'already installed:') : change.changed ? 'removed' : 'no guard hooks in';
  process.stdout.write(action === 'install' ? `${verb} ${what} in ${file}\n` : `${verb} ${change.changed ? `${what} from ` : ''}${file}\n`);
  if (change.changed && change.backup) process.stdout.write(`backup of the file as it was: ${change.backup}\n`);
  if (action === 'install' && harness === 'codex') process.stdout.write(codexTrustNote(projectDir, join(env.CODEX_HOME || join(env.HOME || homedir(), '.codex'), 'config.toml')));
  return 0;
}

/**
 * Codex 0.169.0 skips hooks nobody trusted, without a word, and a hook whose command changed
 * (installed again with other flags) is untrusted again; a project's hooks.json is read only in a
 * trusted project (tests/guard/codex-guard.e2e.test.ts).
 */
function codexTrustNote(projectDir: string | undefined, userConfig: string): string {
  const project = projectDir
    ? `Codex reads ${join(projectDir, '.codex', 'hooks.json')} only in a trusted project ([projects."${projectDir}"] trust_level = "trusted" in ${userConfig}).\n`
    : '';
  return `${project}Codex runs these hooks only once you trust them: start codex and trust them in /hooks (codex exec without that: --dangerously-bypass-hook-trust).\n`;
}
