#!/usr/bin/env node
const argv = process.argv.slice(2);
// `fulcrum guard` runs as a hook before and after every tool call of a session: it loads the guard alone,
// never the store (chDB) or the server, so the harness waits tens of milliseconds, not hundreds.
const run: (argv: string[], env: NodeJS.ProcessEnv) => Promise<number> =
  argv[0] === 'guard' ? (a, env) => import('./commands/guard.js').then((m) => m.guardCommand(a.slice(1), env)) : (a, env) => import('./main.js').then((m) => m.run(a, env));

run(argv, process.env).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: Error & { exitCode?: number }) => {
    process.stderr.write(`fulcrum: ${err.message.split('\n')[0]}\n`);
    process.exitCode = err.exitCode ?? 1;
  },
);
