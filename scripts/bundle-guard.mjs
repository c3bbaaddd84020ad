// The guard's hook runs before and after every tool call, and node spends more time resolving and
// loading ~55 ES modules than the guard spends deciding. This bundles the hook's entry into one file
// (packages/cli/dist/guard-hook.mjs) and lists the files it was built from with their mtimes, so the
// CLI uses it only while it is fresh and falls back to the modules otherwise (packages/cli/src/guard-entry.ts).
import { statSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = resolve(root, 'packages/cli/dist');
const result = await build({
  entryPoints: [resolve(dist, 'commands/guard.js')],
  outfile: resolve(dist, 'guard-hook.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});
const inputs = Object.keys(result.metafile.inputs).map((f) => resolve(root, f));
const files = inputs.map((f) => [relative(dist, f), statSync(f).mtimeMs]);
writeFileSync(resolve(dist, 'guard-hook.inputs.json'), JSON.stringify({ files }));
