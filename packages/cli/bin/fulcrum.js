#!/usr/bin/env node
// The `fulcrum` command. This file is committed so npm can link it while installing,
// before anything is built; the CLI itself is the compiled dist/bin.js.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('fulcrum: the CLI is not built yet; run "npm run build" in the repository\n');
  process.exit(2);
}
await import(cli.href);
