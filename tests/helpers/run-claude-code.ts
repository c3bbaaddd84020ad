import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from './run-process.js';

/*
 * Runs the real Claude Code binary once in print mode (`claude -p PROMPT --output-format stream-json
 * --verbose`), fully offline against a fake Messages API (tests/helpers/fake-anthropic.ts). The
 * environment is built from scratch, not inherited, so a developer's own key, config or telemetry
 * settings never leak into a test, and HOME / CLAUDE_CONFIG_DIR point at the caller's folder, so the
 * transcript lands in `<home>/.claude/projects/`.
 */

export interface RunClaudeCodeOptions {
  /** The Claude Code executable (from `installedHarness('claude-code')`). */
  bin: string;
  /** The working directory; its `.claude/settings.json` holds the project's hooks. */
  workdir: string;
  /** An empty per-run folder used as HOME; `<home>/.claude` becomes CLAUDE_CONFIG_DIR. */
  home: string;
  /** The user prompt. */
  prompt: string;
  /** The fake Messages API base URL (`ANTHROPIC_BASE_URL`). */
  apiUrl: string;
  /**
   * Extra environment (e.g. `CLAUDE_CODE_ENABLE_TELEMETRY` and `OTEL_*` to turn telemetry on); wins over the defaults.
   * @default {}
   */
  env?: Record<string, string>;
  /**
   * Extra arguments after the fixed ones, e.g. `['--allowedTools', 'Read,Bash']`.
   * @default []
   */
  args?: readonly string[];
  /**
   * Pass `--dangerously-skip-permissions` (with `IS_SANDBOX=1`, which it requires as root). When false,
   * only the tools named in `--allowedTools` (in `args`) run without a prompt; others are denied in `-p` mode.
   * @default true
   */
  bypassPermissions?: boolean;
  /**
   * Kill the run (SIGKILL) after this long; the result then has `timedOut: true`.
   * @default 60_000
   */
  timeoutMs?: number;
}

export interface ClaudeCodeRun {
  /** The exit code, or null when killed. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Every stdout line that parsed as JSON (the stream-json messages), in order. */
  streamJson: Array<Record<string, unknown>>;
  /** Whether the run was killed at `timeoutMs`. */
  timedOut: boolean;
  /** Wall time of the process, in milliseconds. */
  durationMs: number;
}

/** The environment Claude Code needs offline; nothing is inherited but PATH and the locale. */
function baseEnvironment(options: RunClaudeCodeOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: process.env.LANG ?? 'C.UTF-8',
    SHELL: '/bin/bash',
    TERM: 'dumb',
    HOME: options.home,
    CLAUDE_CONFIG_DIR: join(options.home, '.claude'),
    ANTHROPIC_BASE_URL: options.apiUrl,
    ANTHROPIC_API_KEY: 'sk-ant-fake-key',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  };
  if (process.env.TMPDIR !== undefined) env.TMPDIR = process.env.TMPDIR;
  // As root, --dangerously-skip-permissions refuses to start unless it is told it runs in a sandbox.
  if ((options.bypassPermissions ?? true) && process.getuid?.() === 0) env.IS_SANDBOX = '1';
  return env;
}

function parseStreamJson(stdout: string): Array<Record<string, unknown>> {
  const messages: Array<Record<string, unknown>> = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      messages.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A partial last line from a killed run: not a message.
    }
  }
  return messages;
}

/** Runs `claude -p` once and returns what it printed; never throws for a failed run. */
export async function runClaudeCode(options: RunClaudeCodeOptions): Promise<ClaudeCodeRun> {
  mkdirSync(join(options.home, '.claude'), { recursive: true });
  const args = ['-p', options.prompt, '--output-format', 'stream-json', '--verbose'];
  if (options.bypassPermissions ?? true) args.push('--dangerously-skip-permissions');
  args.push(...(options.args ?? []));
  const run = await runProcess(options.bin, args, { cwd: options.workdir, env: { ...baseEnvironment(options), ...options.env }, timeoutMs: options.timeoutMs ?? 60_000 });
  return { ...run, streamJson: parseStreamJson(run.stdout) };
}
