#!/usr/bin/env node
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

type Run = (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>;
type GuardModule = typeof import('./commands/guard.js');

/**
 * `fulcrum guard` runs as a hook before and after every tool call of a session, so it loads the
 * guard alone, never the store (chDB) or the server; and it loads it from one bundled file
 * (scripts/bundle-guard.mjs) while every file the bundle was built from is unchanged, since
 * resolving ~55 modules costs node more than the guard's own work. Otherwise: the modules.
 */
async function guardModule(): Promise<GuardModule> {
  try {
    const dist = fileURLToPath(new URL('.', import.meta.url));
    const { files } = JSON.parse(readFileSync(resolve(dist, 'guard-hook.inputs.json'), 'utf8')) as { files: [string, number][] };
    if (files.every(([file, mtimeMs]) => statSync(resolve(dist, file)).mtimeMs === mtimeMs)) return (await import(new URL('./guard-hook.mjs', import.meta.url).href)) as GuardModule;
  } catch {
    // No bundle, or a source gone: the modules.
  }
  return import('./commands/guard.js');
}

const argv = process.argv.slice(2);
const run: Run = argv[0] === 'guard' ? (a, env) => guardModule().then((m) => m.guardCommand(a.slice(1), env)) : (a, env) => import('./main.js').then((m) => m.run(a, env));

run(argv, process.env).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: Error & { exitCode?: number }) => {
    process.stderr.write(`fulcrum: ${err.message.split('\n')[0]}\n`);
    process.exitCode = err.exitCode ?? 1;
  },
);
