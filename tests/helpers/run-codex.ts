import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from './run-process.js';

/*
 * Runs the real Codex binary offline: a fresh CODEX_HOME (and HOME) holding a config.toml that
 * points at a fake Responses server, `[features] hooks = true` (0.169.0 has it on by default; see
 * hooksFeature), and the hooks.json under test; then `codex exec --skip-git-repo-check --json
 * --dangerously-bypass-hook-trust` (without that flag untrusted hooks silently do not run).
 */

/** One hook command, as hooks.json lists it. */
export interface CodexHookCommand {
  type: 'command';
  command: string;
  /** Seconds; Codex's default applies when absent. */
  timeout?: number;
}

/** `$CODEX_HOME/hooks.json`: event name (PreToolUse, PostToolUse, Stop, ...) → matcher groups. */
export interface CodexHooksConfig {
  hooks: Record<string, { matcher?: string; hooks: CodexHookCommand[] }[]>;
}

export interface RunCodexOptions {
  /** The codex executable: the native binary, or the npm package's `bin/codex.js` (run with node). */
  bin: string;
  /** The fake provider's base URL, ending in `/v1` (FakeResponsesServer.baseUrl). */
  baseUrl: string;
  /** An empty scratch folder; CODEX_HOME and HOME are made inside it. */
  home: string;
  /** The folder codex runs in. */
  workdir: string;
  /**
   * The hooks.json to install; none when undefined.
   * @default undefined
   */
  hooks?: CodexHooksConfig;
  /**
   * The user prompt.
   * @default 'Summarize calc.py'
   */
  prompt?: string;
  /**
   * The model name sent to the fake.
   * @default 'gpt-5.5'
   */
  model?: string;
  /**
   * Kill the run after this long.
   * @default 120_000
   */
  timeoutMs?: number;
  /**
   * Write `[features] hooks = true` into config.toml (0.169.0 has the feature on by default; false shows it is not needed).
   * @default true
   */
  hooksFeature?: boolean;
  /**
   * Pass `--dangerously-bypass-hook-trust`; false runs only hooks trusted in config.toml (`[hooks.state."<key>"] trusted_hash`).
   * @default true
   */
  bypassHookTrust?: boolean;
  /**
   * TOML appended to config.toml, e.g. `[projects."<dir>"] trust_level = "trusted"` or hook trust entries.
   * @default ''
   */
  configExtra?: string;
  /**
   * Continue this session (`codex exec resume <id> PROMPT`) instead of starting one.
   * @default undefined
   */
  resumeSessionId?: string;
}

export interface CodexRun {
  /** The process exit code; null when it was killed (timeout). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** stdout's JSON lines (`--json` events: thread.started, item.completed, turn.completed, ...). */
  events: Record<string, unknown>[];
  /** Wall time of the whole run. */
  durationMs: number;
  /** The CODEX_HOME used (sessions/ holds the rollout transcript). */
  codexHome: string;
}

function configToml(baseUrl: string, model: string, hooksFeature: boolean): string {
  return [
    `model = ${JSON.stringify(model)}`,
    'model_provider = "fake"',
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    '',
    '[model_providers.fake]',
    'name = "fake"',
    `base_url = ${JSON.stringify(baseUrl)}`,
    'env_key = "FAKE_OPENAI_API_KEY"',
    'wire_api = "responses"',
    '',
    ...(hooksFeature ? ['[features]', 'hooks = true', ''] : []),
  ].join('\n');
}

function parseJsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').flatMap((line) => {
    if (!line.trim().startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Runs one `codex exec` and collects its outcome; never throws for a failing run. */
export async function runCodex(options: RunCodexOptions): Promise<CodexRun> {
  const codexHome = join(options.home, 'codex-home');
  const userHome = join(options.home, 'user-home');
  mkdirSync(codexHome, { recursive: true });
  mkdirSync(userHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), configToml(options.baseUrl, options.model ?? 'gpt-5.5', options.hooksFeature ?? true) + (options.configExtra ?? ''));
  if (options.hooks) writeFileSync(join(codexHome, 'hooks.json'), JSON.stringify(options.hooks, null, 2));

  const trust = (options.bypassHookTrust ?? true) ? ['--dangerously-bypass-hook-trust'] : [];
  const resume = options.resumeSessionId ? ['resume', options.resumeSessionId] : [];
  const args = ['exec', '--skip-git-repo-check', '--json', ...trust, ...resume, options.prompt ?? 'Summarize calc.py'];
  const [command, argv] = options.bin.endsWith('.js') ? [process.execPath, [options.bin, ...args]] : [options.bin, args];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: userHome, CODEX_HOME: codexHome, FAKE_OPENAI_API_KEY: 'dummy', RUST_LOG: 'warn', LANG: 'C.UTF-8',
  };
  const run = await runProcess(command, argv, { cwd: options.workdir, env, timeoutMs: options.timeoutMs ?? 120_000 });
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, events: parseJsonLines(run.stdout), durationMs: run.durationMs, codexHome };
}
