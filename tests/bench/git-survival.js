// node tests/bench/git-survival.js (after npx tsc -b): survival and rework on a generated repository of
// 10,000 commits over 500 files (BENCH_SURVIVAL_COMMITS, BENCH_SURVIVAL_FILES), then 100 new commits:
// the incremental recompute (re-blames only the files they touched) against a full recompute.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@fulcrum/store';
import { redact } from '@fulcrum/vocab';
import { syncBranch } from '../../packages/cli/dist/git/sync.js';
import { storeSink } from '../../packages/cli/dist/git/sinks.js';

const COMMITS = Number(process.env.BENCH_SURVIVAL_COMMITS ?? 10_000);
const FILES = Number(process.env.BENCH_SURVIVAL_FILES ?? 500);
const NEW_COMMITS = 100;
const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);

// Deterministic pseudo-random edits.
let seed = 42;
const rand = (n) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) % n;
const files = Array.from({ length: FILES }, (_, f) => Array.from({ length: 20 }, (_, i) => `// f${f} line ${i}`));

/** A fast-import stream of `count` commits on main, each editing 1–3 lines of one file (or adding two), over [from, to] seconds. */
async function importCommits(repo, count, fromSec, toSec, parent) {
  const fi = spawn('git', ['fast-import', '--quiet'], { cwd: repo, stdio: ['pipe', 'inherit', 'inherit'] });
  let chunks = [];
  const flush = async (end) => {
    const text = chunks.join('');
    chunks = [];
    if (end) return void fi.stdin.end(text);
    if (!fi.stdin.write(text)) await new Promise((r) => fi.stdin.once('drain', r));
  };
  const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  for (let n = 0; n < count; n++) {
    const t = Math.round(fromSec + ((toSec - fromSec) * n) / Math.max(1, count - 1));
    const f = rand(FILES);
    const body = files[f];
    if (rand(4) === 0) body.push(`// f${f} added ${t}`, `// f${f} added ${t} b`);
    else for (let k = 0; k <= rand(3); k++) body[rand(body.length)] = `// f${f} edit ${t} ${k}`;
    const message = n % 10 === 0 ? `Change ${t}\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n` : `Change ${t}\n`;
    chunks.push(`commit refs/heads/main\nauthor Bench <dev@example.com> ${t} +0000\ncommitter Bench <dev@example.com> ${t} +0000\n${data(message)}`
      + (n === 0 && parent ? `from ${parent}\n` : '') + `M 100644 inline src/f${f}.ts\n${data(body.join('\n') + '\n')}\n`);
    if (chunks.length >= 500) await flush(false);
  }
  await flush(true);
  await new Promise((r) => fi.once('close', r));
  return spawnSync('git', ['rev-parse', 'refs/heads/main'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
}

async function timed(label, store, project, repo, nowSec) {
  const target = { project, repository: 'bench', branch: 'main' };
  const t0 = performance.now();
  const result = await syncBranch({ path: repo, ref: 'refs/heads/main', sink: storeSink(store, { ...target, redact }), survival: { store, target, nowMs: nowSec * 1000 } });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${label}: ${seconds.toFixed(2)} s (${result.commits} commits read; survival ${JSON.stringify(result.survival)})`);
  return seconds;
}

const root = mkdtempSync(join(tmpdir(), 'fulcrum-bench-survival-'));
let store;
try {
  const repo = join(root, 'repo');
  spawnSync('git', ['init', '-q', '-b', 'main', repo], { stdio: 'inherit' });
  const g0 = performance.now();
  // 10,000 commits over the 200 days up to yesterday: a quarter are under 30 days old.
  const tip = await importCommits(repo, COMMITS, NOW - 200 * DAY, NOW - DAY - 3600, undefined);
  console.log(`generated ${COMMITS} commits over ${FILES} files with git fast-import in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  store = await openStore({ dataDir: join(root, 'data') });
  const full = await timed('first sync with survival (full blame)', store, 'inc', repo, NOW);
  await importCommits(repo, NEW_COMMITS, NOW - 3600, NOW - 60, tip);
  const incremental = await timed(`sync of ${NEW_COMMITS} new commits with survival (incremental)`, store, 'inc', repo, NOW);
  const recompute = await timed(`full recompute at the new tip (fresh state)`, store, 'full', repo, NOW);
  console.log(`incremental ${incremental.toFixed(2)} s vs full recompute ${recompute.toFixed(2)} s (${(recompute / incremental).toFixed(1)}×); first full ${full.toFixed(2)} s`);
  const same = await store.client.query({
    query: `SELECT count() AS n, countIf(ifNull(toInt64(a.Surviving30d), -1) != ifNull(toInt64(b.Surviving30d), -1) OR ifNull(toInt64(a.Reworked21d), -1) != ifNull(toInt64(b.Reworked21d), -1)) AS differ
            FROM (SELECT * FROM git_commit_survival FINAL WHERE Project = 'inc') a JOIN (SELECT * FROM git_commit_survival FINAL WHERE Project = 'full') b USING (Hash)`,
    format: 'JSONEachRow',
  });
  console.log(`incremental vs full rows: ${JSON.stringify((await same.json())[0])}`);
} finally {
  await store?.close();
  rmSync(root, { recursive: true, force: true });
}
