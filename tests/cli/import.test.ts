import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDataDir } from '../helpers/store.js';
import { FIXTURES } from '../helpers/fixtures.js';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const fulcrum = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, FULCRUM_CLICKHOUSE_URL: '' } });

describe('fulcrum import', () => {
  it('imports a Claude Code transcript once: a second import adds no rows', () => {
    const dataDir = tempDataDir();
    const path = join(FIXTURES, 'claude-code-2.1.197/all-details-traces-json/transcripts/projects');
    const first = fulcrum('import', 'claude-code', path, '--data-dir', dataDir);
    // 26 calls and 1 row for the one prompt the human typed (its length only, for delegation).
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe('imported 2 files, 1 session, 27 rows (27 new); skipped 0 lines; analysed 1 session');
    expect(first.stderr).toContain('importing claude-code 100%');
    // Import classifies what it imported before it exits: the session is in the list at once.
    const listed = fulcrum('sessions', '--data-dir', dataDir, '--format', 'json');
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout).map((s: { sessionId: string; modelCalls: number }) => [s.sessionId, s.modelCalls])).toEqual([['73732c52-38e1-4da5-b45e-39170c330c7b', expect.any(Number)]]);
    const again = fulcrum('import', 'claude-code', path, '--data-dir', dataDir);
    expect(again.stdout.trim()).toBe('imported 2 files, 1 session, 27 rows (0 new); skipped 0 lines; analysed 1 session');
  });

  it('names a wrong harness or path on one line with exit code 2', () => {
    const harness = fulcrum('import', 'cursor');
    expect(harness.status).toBe(2);
    expect(harness.stderr.trim()).toBe('fulcrum: import needs a harness: claude-code, codex or gemini (got "cursor")');
    const path = fulcrum('import', 'codex', '/nonexistent/sessions');
    expect(path.status).toBe(2);
    expect(path.stderr.trim()).toBe('fulcrum: no transcripts at /nonexistent/sessions (pass a path)');
  });
});
