// Bundles the web app (packages/web/client, Preact + uPlot) into packages/web/dist/app: one JS and one CSS
// file named by their content hash under assets/, and the index.html that names them. `fulcrum serve` serves
// that directory from memory (packages/web/src/plugin.ts). Run with --stats to print the gzipped size
// (the budget is 300 KB). The client is type-checked apart: tsc -p packages/web/client/tsconfig.json.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = resolve(root, 'packages/web');
const appDir = resolve(web, 'dist/app');
const assetsDir = resolve(appDir, 'assets');
const stats = process.argv.includes('--stats');

// Old hashes would pile up and be served forever: start clean.
rmSync(appDir, { recursive: true, force: true });
mkdirSync(assetsDir, { recursive: true });
const result = await build({
  entryPoints: [resolve(web, 'client/main.tsx')],
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});
const outputs = Object.keys(result.metafile.outputs).map((f) => resolve(root, f));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`bundle-web: expected one .js and one .css output, got ${outputs.map((f) => basename(f)).join(', ')}`);
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Fulcrum</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${basename(css)}">
<script type="module" src="/assets/${basename(js)}"></script>
</head>
<body>
<div id="app"><noscript>Fulcrum's web app needs JavaScript. The same figures are in <code>fulcrum report</code>.</noscript></div>
</body>
</html>
`;
writeFileSync(resolve(appDir, 'index.html'), html);
if (stats) {
  const files = [resolve(appDir, 'index.html'), js, css];
  const sizes = files.map((f) => ({ name: basename(f), bytes: readFileSync(f).length, gzip: gzipSync(readFileSync(f), { level: 9 }).length }));
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const s of sizes) console.log(`${s.name.padEnd(28)} ${kb(s.bytes).padStart(9)}  gzipped ${kb(s.gzip).padStart(8)}`);
  const total = sizes.reduce((n, s) => n + s.gzip, 0);
  console.log(`web app: ${kb(sizes.reduce((n, s) => n + s.bytes, 0))}, ${kb(total)} gzipped (budget 300 KB)`);
}
