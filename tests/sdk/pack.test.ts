/**
 * The packages as a user gets them: `npm pack` @fulcrum/vocab and @fulcrum/sdk
 * (prepack builds both, ESM and CommonJS), install the two tarballs plus
 * @opentelemetry/api from the registry into a fresh project under the OS temp
 * folder, outside the repository, and run a small harness there with plain
 * `node`, once through `import` and once through `require`. What it traced is
 * read back from a real `fulcrum serve` child process: the session through the
 * HTTP API, then, once the server has stopped, the stored rows from its data
 * directory (the API does not expose a tool call's file path).
 *
 * Needs the registry (the first install in a clean cache takes 10-30 s).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '@fulcrum/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../helpers/store.js';
import { startChild, type Child } from '../reliability/child-server.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(import.meta.dirname, 'pack-project');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const SESSIONS = { esm: 'pack-esm-session', cjs: 'pack-cjs-session' } as const;
type Flavour = keyof typeof SESSIONS;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment minus what an enclosing `npm test` set for the repository's
 * own package (lifecycle, package fields, prefix, workspaces), and minus
 * NODE_PATH/NODE_OPTIONS, so nothing points the fresh project back at the repository.
 */
function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(lifecycle|package)_|^npm_config_(local_prefix|workspaces?|include_workspace_root)$|^(INIT_CWD|NODE_PATH|NODE_OPTIONS)$/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Runs a command asynchronously (the server answering the harness may be busy in another process meanwhile). */
function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: outsideEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function mustRun(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const r = await run(command, args, cwd);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status} in ${cwd}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The files in a tarball, without npm's `package/` prefix. */
async function tarballFiles(tgz: string): Promise<string[]> {
  const r = await mustRun('tar', ['-tzf', tgz], REPO);
  return r.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')).sort();
}

/** Total file bytes and bytes on disk (as du counts them) under dir, symlinks not followed. */
function sizeOf(dir: string): { bytes: number; diskBytes: number } {
  let bytes = 0;
  let diskBytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const st = lstatSync(path);
    diskBytes += st.blocks * 512;
    if (entry.isDirectory()) {
      const inner = sizeOf(path);
      bytes += inner.bytes;
      diskBytes += inner.diskBytes;
    } else if (entry.isFile()) bytes += st.size;
  }
  return { bytes, diskBytes };
}

interface SessionNode {
  name: string;
  type: string;
  label: string;
  tokens: number;
  costUsd: number;
  children: SessionNode[];
}
interface SessionDetail {
  sessionId: string;
  spans: number;
  spendUsd: number;
  tokens: number;
  linesAdded: number;
  linesRemoved: number;
  roots: SessionNode[];
}

/** GET /api/sessions/:id until the expected spans are in (ingest writes asynchronously to the harness's exit). */
async function sessionDetail(url: string, id: string, spans: number): Promise<SessionDetail> {
  let last = '';
  for (let attempt = 0; attempt < 150; attempt++) {
    const res = await fetch(`${url}/api/sessions/${encodeURIComponent(id)}`);
    last = `${res.status} ${await res.clone().text()}`;
    if (res.status === 200) {
      const detail = (await res.json()) as SessionDetail;
      if (detail.spans >= spans) return detail;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session ${id} did not arrive with ${spans} spans; last answer: ${last}`);
}

/** What each harness printed: the files Node resolved @fulcrum/sdk and @fulcrum/vocab to. */
interface Resolved {
  sdk: string;
  vocab: string;
}

let project: string;
let tarballs: { vocab: string[]; sdk: string[] };
let resolved: Record<Flavour, Resolved>;
let details: Record<Flavour, SessionDetail>;
let rows: Record<string, unknown>[];
let server: Child | undefined;
let store: Store | undefined;

beforeAll(async () => {
  const packDir = tempDataDir('fulcrum-pack-');
  project = tempDataDir('fulcrum-pack-project-');
  // Resolution from the project must not be able to climb into the repository's node_modules.
  if (!relative(REPO, project).startsWith('..')) throw new Error(`temporary project ${project} lies inside the repository ${REPO}`);

  // Scripts on whatever the environment says: prepack is what builds dist/cjs.
  await mustRun('npm', ['pack', '-w', 'packages/vocab', '-w', 'packages/sdk', '--pack-destination', packDir, '--ignore-scripts=false'], REPO);
  const tgz = (name: string) => {
    const found = readdirSync(packDir).filter((f) => f.startsWith(`fulcrum-${name}-`) && f.endsWith('.tgz'));
    if (found.length !== 1) throw new Error(`expected one ${name} tarball in ${packDir}, got ${found.join(', ')}`);
    return join(packDir, found[0]!);
  };
  tarballs = { vocab: await tarballFiles(tgz('vocab')), sdk: await tarballFiles(tgz('sdk')) };

  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fulcrum-packed-harness', version: '0.0.0', private: true }, null, 2));
  for (const file of readdirSync(FIXTURE)) copyFileSync(join(FIXTURE, file), join(project, file));
  await mustRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tgz('vocab'), tgz('sdk'), '@opentelemetry/api'], project);

  const dataDir = tempDataDir('fulcrum-pack-data-');
  server = await startChild(dataDir);
  const harness = async (flavour: Flavour): Promise<Resolved> => {
    const r = await mustRun(process.execPath, [`harness.${flavour === 'esm' ? 'mjs' : 'cjs'}`, server!.url, SESSIONS[flavour], `pack-${flavour}`], project);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Resolved;
  };
  resolved = { esm: await harness('esm'), cjs: await harness('cjs') };
  details = { esm: await sessionDetail(server.url, SESSIONS.esm, 3), cjs: await sessionDetail(server.url, SESSIONS.cjs, 3) };

  // libchdb lets one process hold the data directory: stop the server, then read its rows here.
  server.proc.kill('SIGTERM');
  await server.exited;
  server = undefined;
  store = await openStore({ dataDir, migrate: false });
  const rs = await store.client.query({
    query: `SELECT SessionId, SpanName, SpanType, ParentSpanId = '' AS root, Team, Repository, Harness, ToolName, FilePath, LinesAdded, LinesRemoved,
                   InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens, CostUsd, Priced
            FROM spans FINAL ORDER BY SessionId, SpanName`,
    format: 'JSONEachRow',
  });
  rows = await rs.json<Record<string, unknown>>();
}, 300_000);

afterAll(async () => {
  server?.proc.kill('SIGKILL');
  await store?.close();
});

describe('npm pack', () => {
  it('ships the ESM and CommonJS builds with their declarations, README, LICENSE and package.json, and no sources or build config', () => {
    for (const [name, files] of Object.entries(tarballs)) {
      for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json']) {
        expect(files, `${name}: ${f}`).toContain(f);
      }
      const stray = files.filter((f) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|js\.map|d\.ts)|dist\/cjs\/package\.json)$/.test(f));
      expect(stray, name).toEqual([]);
      expect(files.filter((f) => /^(src|bench|test)\/|tsconfig|\.tsbuildinfo$|\.d\.ts\.map$/.test(f)), name).toEqual([]);
      // Both builds cover the same modules: nothing only one of them has.
      const modules = (dir: RegExp) => files.filter((f) => dir.test(f)).map((f) => f.replace(dir, '')).sort();
      expect(modules(/^dist\/cjs\/(?=[^/]+\.js$)/), name).toEqual(modules(/^dist\/(?=[^/]+\.js$)/));
    }
  });
});

describe.each([
  ['esm', 'import', 'dist/index.js'],
  ['cjs', 'require', 'dist/cjs/index.js'],
] as const)('the packed SDK through %s (%s)', (flavour, _how, entry) => {
  it(`loads ${entry} of the installed tarballs, not the repository's`, () => {
    const base = (pkg: string) => join(project, 'node_modules', '@fulcrum', pkg);
    const asPath = (p: string) => (p.startsWith('file:') ? fileURLToPath(p) : p);
    expect(asPath(resolved[flavour].sdk)).toBe(join(base('sdk'), entry));
    expect(asPath(resolved[flavour].vocab)).toBe(join(base('vocab'), entry));
  });

  it('sends the session to fulcrum serve: 3 spans, the model call priced, the edit counted', () => {
    const d = details[flavour];
    expect(d.spans).toBe(3);
    expect(d.roots).toHaveLength(1);
    expect(d.roots[0]).toMatchObject({ name: 'invoke_agent packed-agent', type: 'session' });
    expect(d.roots[0]!.children.map((c) => [c.name, c.type, c.label])).toEqual([
      ['chat claude-sonnet-4-5', 'llm', 'claude-sonnet-4-5-20250929'],
      ['execute_tool Edit', 'tool', 'Edit'],
    ]);
    // 1,200 uncached + 10,000 cache reads + 500 cache writes + 300 output.
    expect(d.tokens).toBe(12_000);
    // 1200*$3 + 300*$15 + 10000*$0.30 + 500*$3.75 per million = $0.012975.
    expect(d.spendUsd).toBeCloseTo(0.012975, 9);
    expect(d.roots[0]!.children[0]!.costUsd).toBeCloseTo(0.012975, 9);
    // 'a\nb\nc' → 'a\nB\nB2\nc': b became B and B2.
    expect({ added: d.linesAdded, removed: d.linesRemoved }).toEqual({ added: 2, removed: 1 });
  });

  it('stores the harness, file path, lines and tokens', () => {
    const mine = rows.filter((r) => r.SessionId === SESSIONS[flavour]);
    expect(mine.map((r) => [r.SpanName, r.SpanType, r.root])).toEqual([
      ['chat claude-sonnet-4-5', 'llm', 0],
      ['execute_tool Edit', 'tool', 0],
      ['invoke_agent packed-agent', 'session', 1],
    ]);
    for (const r of mine) expect(r).toMatchObject({ Team: 'pack-team', Repository: 'acme/packed', Harness: `pack-${flavour}` });
    // The harness passed <cwd>/src/app.ts; ingest stores it relative to the process's working directory.
    expect(mine[1]).toMatchObject({ ToolName: 'Edit', FilePath: 'src/app.ts', LinesAdded: 2, LinesRemoved: 1 });
    expect(mine[0]).toMatchObject({ InputTokens: 1_200, OutputTokens: 300, CacheReadTokens: 10_000, CacheWriteTokens: 500, Priced: true });
    expect(mine[0]!.CostUsd).toBeCloseTo(0.012975, 9);
  });
});

describe('the installed project', () => {
  it('type-checks for TypeScript users: import gets the ESM declarations, require the CommonJS ones', async () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true }, files: ['types.mts', 'types.cts'] }),
    );
    const r = await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--listFiles'], project);
    expect(r.stdout + r.stderr).not.toMatch(/error TS/);
    expect(r.status).toBe(0);
    const listed = r.stdout.split('\n').map((l) => l.trim());
    for (const pkg of ['sdk', 'vocab']) {
      for (const dts of ['dist/index.d.ts', 'dist/cjs/index.d.ts']) expect(listed, `${pkg} ${dts}`).toContain(join(project, 'node_modules', '@fulcrum', pkg, dts));
    }
  });

  it('holds only the SDK, its vocabulary, @opentelemetry/api and the OTLP/HTTP trace exporter with its dependencies', () => {
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const names = Object.keys(lock.packages)
      .filter((k) => k !== '')
      .map((k) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length))
      .sort();
    const { bytes, diskBytes } = sizeOf(join(project, 'node_modules'));
    // MiB, as `du -sh` counts.
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    console.log(`packed @fulcrum/sdk installed with @opentelemetry/api: ${names.length} packages, ${mib(diskBytes)} MiB on disk (${mib(bytes)} MiB of files)\n  ${names.join(' ')}`);

    const OTEL = new Set(['api', 'api-logs', 'core', 'exporter-trace-otlp-http', 'otlp-exporter-base', 'otlp-transformer', 'resources', 'sdk-logs', 'sdk-metrics', 'sdk-trace-base', 'semantic-conventions']);
    // The exporter's protobuf encoder (otlp-transformer → protobufjs → long, @protobufjs/*, @types/node → undici-types).
    const expected = (n: string) => n === '@fulcrum/sdk' || n === '@fulcrum/vocab' || (n.startsWith('@opentelemetry/') && OTEL.has(n.slice(15))) || /^(protobufjs|long|@protobufjs\/[a-z0-9-]+|@types\/node|undici-types)$/.test(n);
    expect(names.filter((n) => !expected(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['@fulcrum/sdk', '@fulcrum/vocab', '@opentelemetry/api', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http']));
    // Measured 26 packages, 40 MiB on disk (NodeSDK's gRPC exporters used to bring 70 packages, 53 MB);
    // the bounds leave room for the exporter's own dependencies to move a little.
    expect(names.length).toBeLessThanOrEqual(30);
    expect(diskBytes / 2 ** 20).toBeLessThan(48);
  });
});
