import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from './run-process.js';

/*
 * Runs the real Gemini CLI offline: a fresh HOME whose ~/.gemini/settings.json pins api-key auth
 * (GOOGLE_GEMINI_BASE_URL alone makes 0.61.0 pick the "gateway" auth type and refuse), enables
 * folder trust with the workdir trusted (so --yolo is honoured) and installs the hooks under test
 * (keeping whatever else a settings.json already there says);
 * then `gemini -p PROMPT --yolo --output-format json` against a fake Gemini server.
 */

/** One hook command, as settings.json lists it. */
export interface GeminiHookCommand {
  type: 'command';
  command: string;
  name?: string;
  /** Milliseconds; Gemini's default applies when absent. */
  timeout?: number;
}

/** settings.json `hooks`: event name (BeforeTool, AfterTool, BeforeAgent, AfterAgent, ...) → matcher groups. */
export type GeminiHooksConfig = Record<string, { matcher?: string; hooks: GeminiHookCommand[] }[]>;

export interface RunGeminiOptions {
  /** The CLI entry point: the package's `bundle/gemini.js` (run with node). */
  bin: string;
  /** The fake server's base URL (FakeGeminiServer.baseUrl). */
  baseUrl: string;
  /** An empty scratch folder; the HOME used is made inside it. */
  home: string;
  /** The folder the CLI runs in (trusted). */
  workdir: string;
  /**
   * The settings.json `hooks` to install (with `hooksConfig.enabled: true`); none when undefined.
   * @default undefined
   */
  hooks?: GeminiHooksConfig;
  /**
   * The prompt given with -p.
   * @default 'Summarize calc.py'
   */
  prompt?: string;
  /**
   * Kill the run after this long.
   * @default 120_000
   */
  timeoutMs?: number;
  /**
   * The model to ask for (`-m`); the CLI's own default (0.61.0: gemini-3.1-pro-preview, with routing) when undefined.
   * @default undefined
   */
  model?: string;
}

export interface GeminiRun {
  /** The process exit code; null when it was killed (timeout). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed (`--output-format json`: {session_id, response, stats, error?}); undefined if not JSON. */
  output: Record<string, unknown> | undefined;
  /** Wall time of the whole run. */
  durationMs: number;
  /** The HOME used (.gemini/tmp/<project>/chats holds the transcript). */
  userHome: string;
}

function parseOutput(stdout: string): Record<string, unknown> | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Runs one `gemini -p` and collects its outcome; never throws for a failing run. */
export async function runGemini(options: RunGeminiOptions): Promise<GeminiRun> {
  const userHome = join(options.home, 'user-home');
  const geminiDir = join(userHome, '.gemini');
  mkdirSync(geminiDir, { recursive: true });
  // A settings.json already there (e.g. written by `fulcrum guard install gemini --user`) is kept, under the runner's own keys.
  const settingsFile = join(geminiDir, 'settings.json');
  const existing = existsSync(settingsFile) ? (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>) : {};
  const settings: Record<string, unknown> = {
    ...existing,
    security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: true } },
    ...(options.hooks ? { hooksConfig: { enabled: true }, hooks: options.hooks } : {}),
  };
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  writeFileSync(join(geminiDir, 'trustedFolders.json'), JSON.stringify({ [options.workdir]: 'TRUST_FOLDER' }));

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: userHome, LANG: 'C.UTF-8',
    GEMINI_API_KEY: 'dummy-key', GOOGLE_GEMINI_BASE_URL: options.baseUrl,
    GEMINI_CLI_NO_RELAUNCH: 'true', GEMINI_TELEMETRY_ENABLED: 'false', NO_COLOR: '1',
  };
  const args = [options.bin, '-p', options.prompt ?? 'Summarize calc.py', '--yolo', '--output-format', 'json', ...(options.model ? ['-m', options.model] : [])];
  const run = await runProcess(process.execPath, args, { cwd: options.workdir, env, timeoutMs: options.timeoutMs ?? 120_000 });
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, output: parseOutput(run.stdout), durationMs: run.durationMs, userHome };
}
