// Builds one workspace package for publishing: run from the package's folder
// (its `build` script, which `prepack` runs, so `npm pack` never ships a stale or missing dist).
//
//   dist/       ESM and its declarations: the package's own tsconfig.json through `tsc -b`,
//               the same build the root `tsc -b` does (up to date, it costs nothing).
//   dist/cjs/   CommonJS and its declarations: tsconfig.cjs.json, plus a package.json saying
//               "type": "commonjs", so Node loads these .js files, and TypeScript reads these
//               .d.ts files, as CommonJS although the package is "type": "module".
//
// The root `tsc -b` does not build dist/cjs: nothing in the monorepo requires the packages,
// and the test loop should not pay for a second compile.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const pkg = process.cwd();

function run(args) {
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: pkg, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build-package: tsc ${args.join(' ')} failed in ${pkg}`);
    process.exit(r.status ?? 1);
  }
}

/** Every file under dir, as paths relative to it. */
function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), base) : [relative(base, join(dir, e.name))]));
}

/**
 * Deletes ESM outputs whose source is gone (a file moved to another package leaves its
 * old output behind, which `files: ["dist"]` would ship). Only orphans are touched, so a
 * build or test reading dist at the same time is unaffected.
 */
function pruneOrphans(dist) {
  for (const file of walk(dist)) {
    if (file.startsWith('cjs/') || file === '.tsbuildinfo') continue;
    const stem = file.replace(/(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/, '');
    if (stem === file) continue;
    if (!existsSync(join(pkg, 'src', `${stem}.ts`))) {
      rmSync(join(dist, file));
      console.log(`build-package: removed ${join('dist', file)} (no src/${stem}.ts)`);
    }
  }
}

run(['-b', 'tsconfig.json']);
pruneOrphans(join(pkg, 'dist'));

const cjs = join(pkg, 'dist', 'cjs');
rmSync(cjs, { recursive: true, force: true });
run(['-p', 'tsconfig.cjs.json']);
mkdirSync(cjs, { recursive: true });
writeFileSync(join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
