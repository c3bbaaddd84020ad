import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { tempDataDir } from '../helpers/store.js';

/*
 * A newcomer's first hour, as they live it: `fulcrum demo`, then the query
 * commands on its store, with the edges they hit on the way. Every refusal is
 * one line on stderr with exit code 2; every table writes numbers one way.
 */

const BIN = join(import.meta.dirname, '../../packages/cli/dist/bin.js');
const CLEAN_ENV = {
  FULCRUM_DATA_DIR: '', FULCRUM_CLICKHOUSE_URL: '', FULCRUM_CLICKHOUSE_CLUSTER: '', FULCRUM_SERVER: '', FULCRUM_PROJECT: '', FULCRUM_API_KEY: '',
};

interface Run { status: number | null; stdout: string; stderr: string }
/** The CLI as a child process (async: a server answering it may live in this process). */
function fulcrum(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...CLEAN_ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A refusal: exactly this one line on stderr, nothing on stdout, exit code 2. */
async function refused(args: string[], line: string, env: Record<string, string> = {}) {
  const r = await fulcrum(args, env);
  expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }, args.join(' ')).toEqual({ status: 2, stderr: `fulcrum: ${line}\n`, stdout: '' });
}

let demoDir: string;
beforeAll(async () => {
  demoDir = tempDataDir('fulcrum-first-hour-');
  const demo = await fulcrum(['demo', '--data-dir', demoDir, '--format', 'json']);
  expect(demo.status, demo.stderr).toBe(0);
  expect(JSON.parse(demo.stdout).total.sessions).toBe(84);
});

describe('--by use-case', () => {
  it('is accepted as the --use-case filter spells it, and the table says "use case"', async () => {
    const json = await fulcrum(['leverage', '--by', 'use-case', '--data-dir', demoDir, '--format', 'json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).by).toBe('useCase');
    const table = await fulcrum(['report', '--by', 'use-case', '--data-dir', demoDir]);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('\nLeverage by use case\nuse case ');
  });

  it('a bad dimension lists the values in the spelling the CLI takes', async () => {
    await refused(['leverage', '--by', 'useCases', '--data-dir', demoDir], '--by must be one of all, team, repository, harness, use-case, user, got "useCases"');
    await refused(['report', '--by', 'user', '--data-dir', demoDir], '--by user is an individual view: add --individual');
  });
});

describe('sessions says when the list is cut, and empty answers say how to widen them', () => {
  it('shows 50 of 84 with a last line saying so; JSON stays the array', async () => {
    const r = await fulcrum(['sessions', '--data-dir', demoDir]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 50 + 1);
    expect(lines.at(-1)).toBe('showing 50 of 84 sessions; --limit N for more');
    const all = await fulcrum(['sessions', '--data-dir', demoDir, '--limit', '100']);
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(2 + 84);
    expect(all.stdout).not.toContain('showing');
    const json = await fulcrum(['sessions', '--data-dir', demoDir, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toHaveLength(50);
  });

  it.each([
    [['sessions', '--since', '2000-01-01', '--until', '2000-02-01'], 'no sessions in this range; to widen it, try an earlier --since or drop --until'],
    [['report', '--team', 'nobody'], 'no sessions in this range; to widen it, drop --team'],
    [['leverage', '--since', '1h', '--team', 'nobody', '--use-case', 'x'], 'no sessions in this range; to widen it, try --since 24h or drop --team, --use-case'],
    [['report', '--project', 'elsewhere', '--format', 'md'], 'no sessions in project "elsewhere" yet: send spans to "fulcrum serve", import transcripts ("fulcrum import") or try "fulcrum demo"'],
  ])('%j prints one line instead of empty tables', async (args, line) => {
    const r = await fulcrum([...args, '--data-dir', demoDir]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: `${line}\n`, stderr: '' });
  });

  it('an empty list is still [] in JSON', async () => {
    const r = await fulcrum(['sessions', '--team', 'nobody', '--data-dir', demoDir, '--format', 'json']);
    expect(r.stdout).toBe('[]\n');
  });
});

/** Every dollar amount: 2 decimals from $1 up, 4 below. */
function expectDollars(text: string) {
  const amounts = text.match(/\$\d[\d,]*(\.\d+)?(?![\d.])/g) ?? [];
  expect(amounts.length).toBeGreaterThan(0);
  for (const a of amounts) {
    const v = Number(a.slice(1).replace(/,/g, ''));
    const decimals = a.split('.')[1]?.length ?? 0;
    expect(`${a}: ${v === 0 || v >= 1 ? 2 : 4} decimals`).toBe(`${a}: ${decimals} decimals`);
  }
}

describe('one number style in every table', () => {
  it('report: dollars, k/M tokens, plurals, hours, words, leverage with its unit', async () => {
    const r = await fulcrum(['report', '--data-dir', demoDir]);
    expect(r.status).toBe(0);
    const out = r.stdout;
    expectDollars(out);
    expect(out).toMatch(/^84 sessions, spend \$[\d,]+\.\d\d, leverage [\d,]+\.\d\d activity per \$, wasted \$\d+\.\d\d \(\d+(\.\d)?[kM] tokens\)$/m);
    expect(out).toContain('leverage (activity per $)');
    // Tokens in the waste table: k/M at every size, a star where estimated.
    const waste = out.slice(out.indexOf('Waste by category'), out.indexOf('Worst sessions'));
    const tokenCells = waste.split('\n').filter((l) => /^[a-zA-Z→]/.test(l) && !l.startsWith('category') && !l.startsWith('Waste')).map((l) => l.trim().split(/\s{2,}/)[3]);
    expect(tokenCells.length).toBeGreaterThan(3);
    for (const t of tokenCells) expect(t).toMatch(/^(\d{1,3}|\d+(\.\d)?[kMB])\*?$/);
    expect(out).toMatch(/: \d+ spans?, \$0\.\d{4}( estimated)?$/m);
    expect(out).not.toMatch(/\b1 (sessions|spans)\b|span\(s\)|\d+×/);
    // Runaway windows in hours, reasons in words.
    expect(out).toMatch(/^team +\S+ +\S+ +\d{4}-\d\d-\d\d 00:00 \+24h /m);
    expect(out).toMatch(/^session +demo-\S+ .* \+1h .* over spend budget$/m);
    expect(out).not.toMatch(/spend_budget|spend_spike|call_spike|\+\d+m\b/);
  });

  it('sessions, leverage, a session tree and Markdown use the same style', async () => {
    const sessions = await fulcrum(['sessions', '--data-dir', demoDir, '--sort', 'waste', '--limit', '5']);
    expectDollars(sessions.stdout);
    expect(sessions.stdout.split('\n')[0]).toMatch(/ tokens .* leverage \(activity per \$\) +waste$/);
    const lev = await fulcrum(['leverage', '--data-dir', demoDir, '--format', 'md']);
    expectDollars(lev.stdout);
    expect(lev.stdout.split('\n')[0]).toBe('| team | sessions | spend | +lines | -lines | refactors | skills | mcp | leverage (activity per $) | waste |');
    expect(lev.stdout).toMatch(/^\| total \| 84 \| \$\d+\.\d\d \| \d,\d{3} \|/m);
    // The session that failed and retried its build: its findings in words, spans counted in words.
    const report = JSON.parse((await fulcrum(['report', '--data-dir', demoDir, '--format', 'json', '--worst', '84'])).stdout);
    const id = report.waste.worstSessions.find((s: { findings: { kind: string }[] }) => s.findings.some((f) => f.kind === 'failed_tool')).sessionId;
    const tree = await fulcrum(['session', id, '--data-dir', demoDir]);
    expectDollars(tree.stdout);
    expect(tree.stdout).toMatch(new RegExp(`^session ${id}: \\d+ spans, \\$0\\.\\d{4}, \\d+(\\.\\d)?k tokens, waste \\$0\\.\\d{4}$`, 'm'));
    expect(tree.stdout).toMatch(/^ {2}- failed tool call \(.+\): 1 span, \d+(\.\d)?k tokens( \(estimated\))?, \$0\.\d{4}$/m);
    expect(tree.stdout).toMatch(/^[├└]─ tool \S+ +\d+(ms|\.\ds)/m);
    expect(tree.stdout).not.toMatch(/span\(s\)|RETRY \S+ \S+:/);
  });
});

describe('edges, each one line and exit code 2', () => {
  it('a --server or FULCRUM_SERVER that is not an http(s) URL', async () => {
    await refused(['sessions', '--server', 'localhost:4318'], '--server must be an http(s) URL such as http://127.0.0.1:4318, got "localhost:4318"');
    await refused(['report'], 'FULCRUM_SERVER must be an http(s) URL such as http://127.0.0.1:4318, got "localhost:4318"', { FULCRUM_SERVER: 'localhost:4318' });
  });

  it('migrate against an unreachable ClickHouse, as serve', async () => {
    await refused(['migrate', '--clickhouse-url', 'http://127.0.0.1:1'], 'cannot reach ClickHouse at http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1');
    await refused(['serve', '--clickhouse-url', 'http://127.0.0.1:1'], 'cannot reach ClickHouse at http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('a --data-dir that is a file', async () => {
    const dir = tempDataDir();
    const file = join(dir, 'data');
    writeFileSync(file, '');
    for (const command of ['sessions', 'serve', 'migrate', 'import claude-code ' + dir, 'reanalyse']) {
      await refused([...command.split(' '), '--data-dir', file], `--data-dir ${file} is a file, not a directory`);
    }
    await refused(['serve', '--data-dir', join(file, 'sub')], `--data-dir ${join(file, 'sub')}: ${file} is a file, not a directory`);
    await refused(['migrate'], `FULCRUM_DATA_DIR ${file} is a file, not a directory`, { FULCRUM_DATA_DIR: file });
  });

  it('an impossible date', async () => {
    await refused(['sessions', '--since', '2026-02-30', '--data-dir', demoDir], '--since must be a real date, got "2026-02-30" (2026-02 has 28 days)');
    await refused(['report', '--until', '2025-04-31T10:00:00Z', '--data-dir', demoDir], '--until must be a real date, got "2025-04-31T10:00:00Z" (2025-04 has 30 days)');
    await refused(['reanalyse', '--since', '2026-02-29'], '--since must be a real date, got "2026-02-29" (2026-02 has 28 days)');
    const leap = await fulcrum(['sessions', '--since', '2024-02-29', '--data-dir', demoDir, '--format', 'json']);
    expect(leap.status).toBe(0);
  });

  it('a negative number for a value flag', async () => {
    await refused(['report', '--worst', '-1', '--data-dir', demoDir], '--worst must be an integer from 0 to 1000, got "-1"');
    await refused(['sessions', '--limit', '-5', '--data-dir', demoDir], '--limit must be an integer from 1 to 10000, got "-5"');
    await refused(['serve', '--port', '-1'], '--port must be an integer from 0 to 65535, got "-1"');
    await refused(['report', '--team', '--worst', '3'], '--team needs a value (for one starting with "-", write --team=<value>)');
  });
});

describe('help', () => {
  it('"fulcrum help report" prints report\'s help', async () => {
    const help = await fulcrum(['help', 'report']);
    const own = await fulcrum(['report', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: fulcrum report \[options\]\n/);
    expect(help.stdout).toBe(own.stdout);
    await refused(['help', 'reprot'], 'unknown command "reprot" (run "fulcrum --help")');
  });

  it('a bare "fulcrum" prints the help to stderr and exits 2', async () => {
    const r = await fulcrum([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: fulcrum <command> \[options\]\n/);
  });

  it('each command documents only the environment that applies to it', async () => {
    for (const command of ['serve', 'migrate', 'keys', 'import', 'reanalyse', 'sessions', 'session', 'report', 'leverage', 'demo']) {
      const { stdout } = await fulcrum([command, '--help']);
      expect(stdout, command).toMatch(/^Usage: fulcrum /);
      expect(stdout.includes('FULCRUM_CLICKHOUSE_CLUSTER'), command).toBe(command === 'serve' || command === 'migrate');
      expect(stdout.includes('FULCRUM_LOG_LEVEL'), command).toBe(command === 'serve');
      const query = ['sessions', 'session', 'report', 'leverage'].includes(command);
      expect(/--server <url> .*env FULCRUM_SERVER/.test(stdout), command).toBe(query);
    }
  });
});

describe('through a running server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, store: { dataDir: demoDir } });
  });
  afterAll(async () => server?.close());

  it('the API counts the sessions in a header; the CLI says the same over it', async () => {
    const res = await fetch(`${server.url}/api/sessions?limit=3`);
    expect(res.headers.get('x-total-count')).toBe('84');
    expect(await res.json()).toHaveLength(3);
    const r = await fulcrum(['sessions', '--limit', '3', '--server', server.url]);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('showing 3 of 84 sessions; --limit N for more');
    // Found from the data directory the server holds, too.
    const held = await fulcrum(['sessions', '--data-dir', demoDir]);
    expect(held.stdout.trimEnd().split('\n').at(-1)).toBe('showing 50 of 84 sessions; --limit N for more');
  });

  it('the API takes by=use-case and lists its own spelling when refusing a dimension', async () => {
    type Json = { by: string; error: { message: string }; paths: Record<string, { get: { responses: Record<string, { headers: Record<string, { schema: unknown }> }> } }> };
    const json = async (r: Response) => (await r.json()) as Json;
    const ok = await fetch(`${server.url}/api/leverage?by=use-case`);
    expect(ok.status).toBe(200);
    expect((await json(ok)).by).toBe('useCase');
    const bad = await fetch(`${server.url}/api/reports/waste?by=bogus`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toBe('bad request: by must be one of all, team, repository, harness, useCase, user');
    const sort = await fetch(`${server.url}/api/sessions?sort=bogus`);
    expect((await json(sort)).error.message).toBe('bad request: sort must be one of spend, start, waste, leverage, tokens');
    const doc = await json(await fetch(`${server.url}/openapi.json`));
    expect(doc.paths['/api/sessions']!.get.responses['200']!.headers['X-Total-Count']!.schema).toEqual({ type: 'integer' });
  });
});
