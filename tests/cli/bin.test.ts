import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../helpers/store.js';

/*
 * The `fulcrum` command npm links: the committed shim packages/cli/bin/fulcrum.js,
 * which runs the built CLI, or says in one line to build it when dist/ is missing.
 */

const CLI = join(import.meta.dirname, '../../packages/cli');
const SHIM = join(CLI, 'bin/fulcrum.js');
const VERSION = (JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as { version: string }).version;

function fulcrum(bin: string, ...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

describe('the fulcrum command', () => {
  it('is the committed shim, linked by npm before anything is built', () => {
    const pkg = JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ fulcrum: 'bin/fulcrum.js' });
  });

  it('prints the version of packages/cli with --version and -v', () => {
    for (const flag of ['--version', '-v']) {
      const r = fulcrum(SHIM, flag);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    }
  });

  it('runs the built CLI with its arguments', () => {
    const r = fulcrum(SHIM, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: fulcrum <command>/);
  });

  it('says to build, in one line with exit code 2, when dist/ is missing', () => {
    const copy = join(tempDataDir('fulcrum-bin-'), 'cli');
    mkdirSync(join(copy, 'bin'), { recursive: true });
    cpSync(SHIM, join(copy, 'bin/fulcrum.js'));
    writeFileSync(join(copy, 'package.json'), '{ "type": "module" }');
    const r = fulcrum(join(copy, 'bin/fulcrum.js'), '--version');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('fulcrum: the CLI is not built yet; run "npm run build" in the repository\n');
  });
});
