import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI entry point. */
export const CLI_BIN = join(import.meta.dirname, '../../packages/cli/dist/bin.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI asynchronously (a server answering it may live in this
 * process, so a sync spawn would deadlock), with no data directory from the
 * environment unless `env` sets one.
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, FULCRUM_DATA_DIR: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
