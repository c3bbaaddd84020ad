import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/*
 * The pinned harness CLIs for end-to-end tests. They are not dependencies of the project (a user's
 * `npm install` never downloads ~750 MB of agents); the first test that needs one installs it into a
 * cache outside the repository, and every later run finds it there. A lock file keeps two test forks
 * from installing the same harness at once.
 */

export type HarnessName = 'claude-code' | 'codex' | 'gemini-cli';

interface PinnedHarness {
  /** The npm package. */
  packageName: string;
  /** The exact version the tests were written against. */
  version: string;
  /** The package's bin name, linked in node_modules/.bin. */
  binName: string;
}

export const PINNED_HARNESSES: Readonly<Record<HarnessName, PinnedHarness>> = {
  'claude-code': { packageName: '@anthropic-ai/claude-code', version: '2.1.197', binName: 'claude' },
  codex: { packageName: '@openai/codex', version: '0.169.0', binName: 'codex' },
  'gemini-cli': { packageName: '@google/gemini-cli', version: '0.61.0', binName: 'gemini' },
};

export interface InstalledHarness {
  /** An executable that runs the harness (a native binary or a script with a node shebang). */
  bin: string;
  /** The installed version, equal to the pinned one. */
  version: string;
}

export interface HarnessInstallOptions {
  /**
   * The folder holding one sub-folder per harness.
   * @default $FULCRUM_HARNESS_CACHE, else ~/.cache/fulcrum-harnesses
   */
  cacheRoot?: string;
  /**
   * How long `npm install` may take before it is killed.
   * @default 300_000
   */
  installTimeoutMs?: number;
}

/** npm's codes for a registry it could not reach (as opposed to a package that failed to install). */
const UNREACHABLE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT|network request to .* failed)\b/i;

const known = new Map<string, Promise<InstalledHarness | undefined>>();

/**
 * The pinned harness, installed on first use. Undefined (with the reason printed) only when the
 * registry cannot be reached, so a test can skip; any other install failure throws.
 */
export function installedHarness(name: HarnessName, options: HarnessInstallOptions = {}): Promise<InstalledHarness | undefined> {
  const cacheRoot = options.cacheRoot ?? process.env.FULCRUM_HARNESS_CACHE ?? join(homedir(), '.cache', 'fulcrum-harnesses');
  const dir = join(cacheRoot, name);
  let pending = known.get(dir);
  if (pending === undefined) {
    pending = ensureInstalled(name, dir, options.installTimeoutMs ?? 300_000);
    known.set(dir, pending);
    // A failure is not remembered: the next caller tries again.
    pending.catch(() => known.delete(dir));
  }
  return pending;
}

async function ensureInstalled(name: HarnessName, dir: string, installTimeoutMs: number): Promise<InstalledHarness | undefined> {
  const ready = await findRunnable(name, dir);
  if (ready !== undefined) return ready;
  mkdirSync(dir, { recursive: true });
  const release = await acquireLock(join(dir, '..', `${name}.install.lock`), installTimeoutMs + 60_000);
  try {
    // Another fork may have installed it while this one waited for the lock.
    const installedMeanwhile = await findRunnable(name, dir);
    if (installedMeanwhile !== undefined) return installedMeanwhile;
    const pinned = PINNED_HARNESSES[name];
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `fulcrum-harness-${name}`, private: true, description: 'Installed by the Fulcrum test helpers', dependencies: {} }, null, 2),
    );
    const spec = `${pinned.packageName}@${pinned.version}`;
    const outcome = await run('npm', ['install', '--no-audit', '--no-fund', '--save-exact', '--fetch-retries=1', '--loglevel=error', spec], dir, installTimeoutMs);
    writeFileSync(join(dir, 'install.log'), `npm install ${spec}\nexit ${outcome.code}\n${outcome.stdout}\n${outcome.stderr}`);
    if (outcome.code !== 0) {
      const output = `${outcome.stdout}\n${outcome.stderr}`;
      if (UNREACHABLE.test(output) || outcome.timedOut) {
        const cause = outcome.timedOut ? `no answer in ${installTimeoutMs} ms` : (UNREACHABLE.exec(output)?.[0] ?? '');
        console.warn(`[harness-install] ${spec} not installed: the npm registry is unreachable (${cause}); see ${join(dir, 'install.log')}`);
        return undefined;
      }
      throw new Error(`npm install ${spec} failed (exit ${outcome.code}) in ${dir}:\n${output.slice(-2000)}`);
    }
    const installed = await findRunnable(name, dir);
    if (installed === undefined) throw new Error(`npm installed ${spec} in ${dir}, but no runnable ${pinned.binName} reports version ${pinned.version}`);
    return installed;
  } finally {
    release();
  }
}

/** The first candidate entry that runs and prints the pinned version, if any. */
async function findRunnable(name: HarnessName, dir: string): Promise<InstalledHarness | undefined> {
  const pinned = PINNED_HARNESSES[name];
  const modules = join(dir, 'node_modules');
  const manifest = join(modules, pinned.packageName, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
  if (version !== pinned.version) return undefined;
  for (const candidate of entryCandidates(name, modules)) {
    if (!existsSync(candidate)) continue;
    const probe = await run(candidate, ['--version'], dir, 30_000);
    if (probe.code === 0 && probe.stdout.includes(pinned.version)) return { bin: realpathSync(candidate), version: pinned.version };
  }
  return undefined;
}

/**
 * Where the runnable harness is. Claude Code's `bin/claude.exe` is a placeholder until its postinstall
 * step links the platform's native binary over it; if install scripts did not run (an npm that blocks
 * them), the native binary in the optional platform package runs just the same.
 */
function entryCandidates(name: HarnessName, modules: string): string[] {
  const pinned = PINNED_HARNESSES[name];
  const linked = join(modules, '.bin', pinned.binName);
  if (name !== 'claude-code') return [linked];
  const musl = process.platform === 'linux' && isMusl() ? '-musl' : '';
  const platformBinary = join(modules, `${pinned.packageName}-${process.platform}-${process.arch}${musl}`, process.platform === 'win32' ? 'claude.exe' : 'claude');
  return [linked, platformBinary];
}

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report !== undefined && report.header?.glibcVersionRuntime === undefined;
}

/** Takes an exclusive lock file, waiting for another holder; a lock older than `staleAfterMs` is broken. */
async function acquireLock(path: string, staleAfterMs: number): Promise<() => void> {
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockIsStale(path, staleAfterMs)) {
      rmSync(path, { force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function lockIsStale(path: string, staleAfterMs: number): boolean {
  try {
    if (Date.now() - statSync(path).mtimeMs > staleAfterMs) return true;
    const holder = Number(readFileSync(path, 'utf8'));
    if (!Number.isInteger(holder) || holder <= 0) return false;
    process.kill(holder, 0);
    return false;
  } catch (error) {
    // ESRCH: the holder died without removing its lock. ENOENT: it just finished.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

interface RunOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * What `npm test` / `npm run` put in the environment about the project itself; passed on, they would make
 * the install land in the project's workspaces. A user's own npm settings (registry, proxy, cache) stay.
 */
const PROJECT_NPM_VARIABLES = /^npm_(package_|lifecycle_|config_(workspaces?|include_workspace_root|local_prefix|global|prefix)$)/i;

/** Runs a command without the project's npm variables. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<RunOutcome> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !PROJECT_NPM_VARIABLES.test(key)));
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const timedOut = error !== null && (error as { killed?: boolean }).killed === true;
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      // A command that could not start at all (ENOENT) has no exit code; its message is the only output.
      const startFailure = error !== null && code === null && !timedOut ? `\n${error.message}` : '';
      resolve({ code, stdout, stderr: stderr + startFailure, timedOut });
    });
  });
}

