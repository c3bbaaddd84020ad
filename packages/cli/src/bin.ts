#!/usr/bin/env node
import { run } from './main.js';

run(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: Error & { exitCode?: number }) => {
    process.stderr.write(`fulcrum: ${err.message.split('\n')[0]}\n`);
    process.exitCode = err.exitCode ?? 1;
  },
);
