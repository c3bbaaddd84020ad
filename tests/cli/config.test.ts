import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIVITIES, DEFAULT_WEIGHTS, RUNAWAY_DEFAULTS, ANALYSIS_DEFAULTS } from '@fulcrum/query';
import { startServer } from '@fulcrum/server';
import { tempDataDir } from '../helpers/store.js';

/*
 * `fulcrum config` run as a user runs it: the effective analysis settings,
 * each with its source, from defaults, the data directory's
 * fulcrum.config.json or --config, and one-line refusals of bad files.
 */

const BIN = join(import.meta.dirname, '../../packages/cli/dist/bin.js');

/** Asynchronous: one test has a server in this process holding the data directory. */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'config', ...args], { env: { ...process.env, FULCRUM_DATA_DIR: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Key {
  key: string;
  value: number;
  text: string;
  source: string;
}
interface Output {
  file: { path: string; explicit: boolean; found: boolean };
  keys: Key[];
  effective: { minRepeat: number; analyseAfterMs: number; runaway: Record<string, number>; weights: Record<string, number>; repositoryBudgetUsd: number };
  prices: { model: string; input: number; output: number; cacheRead: number; cacheWrite: number; source: string }[];
}

async function json(...args: string[]): Promise<Output & { byKey: Record<string, Key> }> {
  const r = await cli(...args, '--format', 'json');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout) as Output;
  return { ...out, byKey: Object.fromEntries(out.keys.map((k) => [k.key, k])) };
}

/** A data directory holding fulcrum.config.json with `body` (a string is written as is). */
function dataDirWith(body: unknown): { dir: string; file: string } {
  const dir = tempDataDir('fulcrum-config-');
  const file = join(dir, 'fulcrum.config.json');
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return { dir, file };
}

const BUDGET_KEYS = ['sessionUsd', 'sessionCalls', 'teamUsd', 'repositoryUsd', 'spikeMultiple', 'sessionWindowMinutes', 'teamWindowMinutes', 'history', 'minHistory'];
const ALL_KEYS = ['waste.minRepeat', 'analysis.analyseAfter', ...BUDGET_KEYS.map((k) => `budgets.${k}`), 'privacy.minGroupSize', ...ACTIVITIES.map((a) => `weights.${a}`)];

describe('fulcrum config', () => {
  it("prints every key with the query package's defaults, each from 'default', when there is no file", async () => {
    const dir = join(tempDataDir(), 'not-created');
    const out = await json('--data-dir', dir);
    expect(out.keys.map((k) => k.key)).toEqual(ALL_KEYS);
    for (const k of out.keys) expect(k.source, k.key).toBe('default');
    expect(out.file).toEqual({ path: join(dir, 'fulcrum.config.json'), explicit: false, found: false });
    expect(out.effective).toEqual({ minRepeat: ANALYSIS_DEFAULTS.minRepeat, analyseAfterMs: 30_000, runaway: RUNAWAY_DEFAULTS, weights: DEFAULT_WEIGHTS, repositoryBudgetUsd: 0, minGroupSize: 5 });
    expect(out.prices).toEqual([]);
    expect(out.byKey['budgets.sessionUsd']!.value).toBe(RUNAWAY_DEFAULTS.sessionBudgetUsd);
    expect(out.byKey['budgets.sessionCalls']!.value).toBe(RUNAWAY_DEFAULTS.sessionCallBudget);
    expect(out.byKey['budgets.teamUsd']!.value).toBe(RUNAWAY_DEFAULTS.teamBudgetUsd);
    expect(out.byKey['analysis.analyseAfter']).toMatchObject({ value: 30_000, text: '30s' });
    // Looking does not create the data directory (nor open a store in it).
    expect(existsSync(dir)).toBe(false);

    const table = await cli('--data-dir', dir);
    expect(table.status).toBe(0);
    const rows = table.stdout.split('\n').filter((l) => /^(waste|analysis|budgets|privacy|weights)\./.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(ALL_KEYS);
    for (const row of rows) expect(row).toMatch(/\sdefault$/);
  });

  it('takes fulcrum.config.json from the data directory: a budget by number and a weight by rating, sourced to the file', async () => {
    const { dir, file } = dataDirWith({
      budgets: { sessionUsd: 40 },
      analysis: { analyseAfter: '2m' },
      weights: { mcp: { frequency: 'medium', timeSaved: 'high' } },
    });
    const out = await json('--data-dir', dir);
    expect(out.file).toEqual({ path: file, explicit: false, found: true });
    expect(out.byKey['budgets.sessionUsd']).toMatchObject({ value: 40, source: file });
    expect(out.byKey['weights.mcp']).toMatchObject({ value: 0.625, source: file, text: '0.625 (frequency medium, time saved high)' });
    expect(out.byKey['analysis.analyseAfter']).toMatchObject({ value: 120_000, text: '2m', source: file });
    expect(out.effective.runaway).toEqual({ ...RUNAWAY_DEFAULTS, sessionBudgetUsd: 40 });
    expect(out.effective.weights).toEqual({ ...DEFAULT_WEIGHTS, mcp: 0.625 });
    expect(out.effective.analyseAfterMs).toBe(120_000);
    const untouched = out.keys.filter((k) => !['budgets.sessionUsd', 'weights.mcp', 'analysis.analyseAfter'].includes(k.key));
    for (const k of untouched) expect(k.source, k.key).toBe('default');

    const table = await cli('--data-dir', dir);
    expect(table.stdout).toMatch(new RegExp(`^budgets\\.sessionUsd\\s+40\\s+${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('reads --config instead of the data directory file', async () => {
    const { dir } = dataDirWith({ budgets: { sessionUsd: 40 }, waste: { minRepeat: 5 } });
    const other = join(tempDataDir('fulcrum-config-'), 'team.json');
    writeFileSync(other, JSON.stringify({ budgets: { sessionUsd: 55.5, teamUsd: 300 } }));
    const out = await json('--data-dir', dir, '--config', other);
    expect(out.file).toEqual({ path: other, explicit: true, found: true });
    expect(out.byKey['budgets.sessionUsd']).toMatchObject({ value: 55.5, source: other });
    expect(out.byKey['budgets.teamUsd']).toMatchObject({ value: 300, source: other });
    // The data directory's file is not read at all.
    expect(out.byKey['waste.minRepeat']).toMatchObject({ value: ANALYSIS_DEFAULTS.minRepeat, source: 'default' });
  });

  it('works while a server holds the data directory', async () => {
    const { dir, file } = dataDirWith({ budgets: { sessionCalls: 900 } });
    const server = await startServer({ port: 0, store: { dataDir: dir }, logger: false });
    try {
      const out = await json('--data-dir', dir);
      expect(out.byKey['budgets.sessionCalls']).toMatchObject({ value: 900, source: file });
    } finally {
      await server.close();
    }
  });

  it.each([
    ['a bad value', { budgets: { sessionUsd: 'abc' } }, (f: string) => `config budgets.sessionUsd: must be a non-negative number, got "abc" (in ${f})`],
    ['a negative count', { budgets: { sessionCalls: -1 } }, (f: string) => `config budgets.sessionCalls: must be a non-negative integer, got -1 (in ${f})`],
    ['an unknown key', { budgets: { sessionUSD: 30 } }, (f: string) => `config budgets.sessionUSD: unknown key; did you mean budgets.sessionUsd? (in ${f})`],
    ['an unknown section', { budget: { sessionUsd: 30 } }, (f: string) => `config budget: unknown key; did you mean budgets? (in ${f})`],
    ['an unknown weight level', { weights: { mcp: { frequency: 'hi', timeSaved: 'high' } } }, (f: string) => `config weights.mcp.frequency: must be one of low, medium, high, extremely-high, got "hi" (in ${f})`],
    ['a bad duration', { analysis: { analyseAfter: '30 sec' } }, (f: string) => `config analysis.analyseAfter: must be a duration like 500ms, 30s, 2m, 1h or a number of milliseconds, got "30 sec" (in ${f})`],
    ['windows that do not nest', { budgets: { teamWindowMinutes: 90 } }, (f: string) => `config budgets.teamWindowMinutes: must be a multiple of budgets.sessionWindowMinutes (60), got 90 (in ${f})`],
    ['invalid JSON', '{ "budgets": { "sessionUsd": 25, } }', (f: string) => `config file ${f} is not valid JSON: `],
    ['a negative repository budget', { budgets: { repositoryUsd: -5 } }, (f: string) => `config budgets.repositoryUsd: must be a non-negative number, got -5 (in ${f})`],
    ['an unknown price field', { prices: { 'my-model': { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 0, currency: 'EUR' } } }, (f: string) => `config prices.my-model.currency: unknown key (a price has input, output, cacheRead, cacheWrite) (in ${f})`],
    ['a negative price', { prices: { 'my-model': { input: -1, output: 2, cacheRead: 0.1, cacheWrite: 0 } } }, (f: string) => `config prices.my-model.input: must be a non-negative number ($ per million tokens), got -1 (in ${f})`],
    ['a price missing a field', { prices: { 'gemini-3.1-': { input: 1, output: 2 } } }, (f: string) => `config prices.gemini-3.1-.cacheRead: missing (a price has input, output, cacheRead, cacheWrite, $ per million tokens) (in ${f})`],
    ['a price that is not an object', { prices: { 'my-model': 3 } }, (f: string) => `config prices.my-model: must be { "input": $, "output": $, "cacheRead": $, "cacheWrite": $ } per million tokens, got 3 (in ${f})`],
  ])('refuses %s in one line naming it, with exit code 2', async (_name, body, message) => {
    const { dir, file } = dataDirWith(body);
    const r = await cli('--data-dir', dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.startsWith(`fulcrum: ${message(file)}`)).toBe(true);
  });

  it('shows the prices the file adds (a model and a family), each sourced to the file', async () => {
    const { dir, file } = dataDirWith({
      budgets: { repositoryUsd: 300 },
      prices: { 'My-Model-20250101': { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 0 }, 'gemini-3.1-': { input: 0.5, output: 3, cacheRead: 0.05, cacheWrite: 0 } },
    });
    const out = await json('--data-dir', dir);
    expect(out.byKey['budgets.repositoryUsd']).toMatchObject({ value: 300, source: file });
    expect(out.effective.repositoryBudgetUsd).toBe(300);
    expect(out.prices).toEqual([
      { model: 'my-model', input: 1, output: 2, cacheRead: 0.1, cacheWrite: 0, source: file },
      { model: 'gemini-3.1-', input: 0.5, output: 3, cacheRead: 0.05, cacheWrite: 0, source: file },
    ]);
    const table = await cli('--data-dir', dir);
    expect(table.stdout).toMatch(/^prices\.my-model\s+input 1, output 2, cache read 0\.1, cache write 0\s+\S+fulcrum\.config\.json$/m);
    expect(table.stdout).toMatch(/^prices\.gemini-3\.1-\s+input 0\.5, output 3, cache read 0\.05, cache write 0\s/m);
  });

  it('refuses a --config file that does not exist, and a --format it cannot print', async () => {
    const missing = join(tempDataDir(), 'nope.json');
    const r = await cli('--config', missing);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`fulcrum: config file ${missing} not found\n`);
    const md = await cli('--data-dir', tempDataDir(), '--format', 'md');
    expect(md.status).toBe(2);
    expect(md.stderr).toBe('fulcrum: --format must be one of table, json, got "md"\n');
  });

  it('documents every key in --help, and is listed in the main help', async () => {
    const r = await cli('--help');
    expect(r.status).toBe(0);
    for (const key of ALL_KEYS) expect(r.stdout).toContain(`  ${key} `);
    expect(r.stdout).toContain('--config <file>');
    const main = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [BIN, '--help']);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', () => resolve(out));
    });
    expect(main).toMatch(/^ {2}config {2,}\S/m);
  });
});
