import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardHarness, GuardMode } from '@fulcrum/guard';
import { runCli, type CliResult } from '../helpers/cli.js';

export interface InstallGuardOptions {
  /** The project whose settings get the hooks; undefined installs for the user (--user). */
  projectDir?: string;
  mode: GuardMode;
  stateDir: string;
  /** A config file's content, written into `root` and passed as --config. @default none */
  config?: unknown;
  server?: string;
  /** Where the config file is written. */
  root: string;
  /** The CLI's environment (HOME, CODEX_HOME). @default {} */
  env?: NodeJS.ProcessEnv;
}

/** `fulcrum guard install <harness>` through the real CLI, as a user runs it. */
export function installGuard(harness: GuardHarness, o: InstallGuardOptions): Promise<CliResult> {
  const args = ['guard', 'install', harness, ...(o.projectDir ? ['--project-dir', o.projectDir] : ['--user']), '--mode', o.mode, '--state-dir', o.stateDir];
  if (o.config !== undefined) {
    const configFile = join(o.root, 'fulcrum.config.json');
    writeFileSync(configFile, JSON.stringify(o.config));
    args.push('--config', configFile);
  }
  if (o.server) args.push('--server', o.server);
  return runCli(args, o.env);
}

/** A hook that keeps every payload it is sent and answers with a fixed shell tail (`cat answer.json`, `exit 2`...). */
export interface FixedAnswerHook {
  command: string;
  /** The payloads it received, in order. */
  payloads(): Record<string, unknown>[];
}

export function fixedAnswerHook(root: string, event: string, answer: string): FixedAnswerHook {
  const dir = join(root, `payloads-${event}`);
  const command = join(root, `hook-${event}.sh`);
  mkdirSync(dir);
  // The payload file name counts up, so the order of invocations is kept.
  writeFileSync(command, `#!/bin/sh\nd=${dir}\ncat > "$d/$(ls "$d" | wc -l | tr -d ' ').json"\n${answer}\n`);
  chmodSync(command, 0o755);
  return {
    command,
    payloads: () => readdirSync(dir).sort((a, b) => parseInt(a) - parseInt(b)).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>),
  };
}
