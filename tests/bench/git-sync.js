// npm run bench:git: `fulcrum git sync` on a generated repository of 100,000 commits (BENCH_GIT_COMMITS).
// Prints commits per second (goal ≥ 5,000/s) and the CLI process's peak RSS (the log streams: it should not grow with history).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMMITS = Number(process.env.BENCH_GIT_COMMITS ?? 100_000);
const FILES = 1000;
const MERGE_EVERY = 200; // a PR branch of two commits merged with a merge commit, every 200 commits
const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

/** Writes a fast-import stream: mostly single-line edits, every 10th co-authored by Claude, every 50th a squash "(#N)", merges. */
async function generate(repo) {
  spawnSync('git', ['init', '-q', '-b', 'main', repo], { stdio: 'inherit' });
  const fi = spawn('git', ['fast-import', '--quiet'], { cwd: repo, stdio: ['pipe', 'inherit', 'inherit'] });
  let chunks = [];
  let size = 0;
  const out = async (s) => {
    chunks.push(s);
    size += s.length;
    if (size > 1 << 20) {
      const text = chunks.join('');
      chunks = [];
      size = 0;
      if (!fi.stdin.write(text)) await new Promise((r) => fi.stdin.once('drain', r));
    }
  };
  const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const start = 1_700_000_000;
  let mark = 0;
  let prev = 0;
  let pr = 1;
  const commit = async (ref, n, message, from, merge, file) => {
    mark++;
    const t = start + n * 60;
    const content = `// file ${file}\nexport const value = ${n};\nexport const name = 'f${file}';\n`;
    await out(`commit ${ref}\nmark :${mark}\nauthor Bench ${n % 7} <dev${n % 7}@example.com> ${t} +0000\ncommitter Bench <bench@example.com> ${t} +0000\n${data(message)}`
      + (from ? `from :${from}\n` : '') + (merge ? `merge :${merge}\n` : '')
      + `M 100644 inline src/f${file}.ts\n${data(content)}\n`);
    return mark;
  };
  for (let n = 1; n <= COMMITS; n++) {
    if (n % MERGE_EVERY === 0 && prev) {
      const a = await commit('refs/heads/side', n, `Side work ${n}\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n`, prev, 0, (n + 1) % FILES);
      const b = await commit('refs/heads/side', n, `Side work ${n} b\n`, a, 0, (n + 2) % FILES);
      prev = await commit('refs/heads/main', n, `Merge pull request #${pr++} from acme/side-${n}\n`, prev, b, (n + 3) % FILES);
      continue;
    }
    const message = n % 50 === 0 ? `Change ${n} (#${pr++})\n` : n % 10 === 0 ? `Change ${n}\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n` : `Change ${n}\n`;
    prev = await commit('refs/heads/main', n, message, prev, 0, n % FILES);
  }
  fi.stdin.end(chunks.join(''));
  await new Promise((r) => fi.once('close', r));
  spawnSync('git', ['checkout', '-q', '-f', 'main'], { cwd: repo });
}

/** Runs the CLI under /usr/bin/time for its peak RSS (kB), when that is installed. */
function sync(repo, dataDir) {
  const time = existsSync('/usr/bin/time');
  const args = [process.execPath, BIN, 'git', 'sync', repo, '--data-dir', dataDir];
  const t0 = performance.now();
  const r = time ? spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', ...args], { encoding: 'utf8' }) : spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`git sync failed: ${r.stderr}`);
  const rss = /maxrss_kb=(\d+)/.exec(r.stderr ?? '')?.[1];
  return { seconds, stdout: r.stdout.trim(), peakRssMb: rss ? Number(rss) / 1024 : undefined };
}

const root = mkdtempSync(join(tmpdir(), 'fulcrum-bench-git-'));
try {
  const repo = join(root, 'repo');
  const g0 = performance.now();
  await generate(repo);
  console.log(`generated ${COMMITS} first-parent commits (plus PR branches) with git fast-import in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  const gl0 = performance.now();
  spawnSync('git', ['log', '--first-parent', '--diff-merges=first-parent', '--numstat', '-z', '--format=%H', 'main'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
  console.log(`git log --numstat alone: ${((performance.now() - gl0) / 1000).toFixed(1)} s`);
  const dataDir = join(root, 'data');
  const first = sync(repo, dataDir);
  console.log(first.stdout);
  console.log(`first sync: ${first.seconds.toFixed(1)} s, ${Math.round(COMMITS / first.seconds)} commits/s (goal ≥ 5,000/s), peak RSS ${first.peakRssMb?.toFixed(0) ?? '?'} MB`);
  const again = sync(repo, dataDir);
  console.log(again.stdout);
  console.log(`second sync (nothing new): ${again.seconds.toFixed(2)} s, peak RSS ${again.peakRssMb?.toFixed(0) ?? '?'} MB`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
