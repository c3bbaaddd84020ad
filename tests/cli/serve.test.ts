import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

function fulcrum(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, FULCRUM_CLICKHOUSE_URL: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fulcrum serve', () => {
  it('prints help naming every option', () => {
    const r = fulcrum('serve', '--help');
    expect(r.code).toBe(0);
    for (const flag of ['--port', '--host', '--data-dir', '--clickhouse-url']) expect(r.stdout).toContain(flag);
  });

  it('rejects an unknown flag on one line with exit code 2', () => {
    const r = fulcrum('serve', '--prot', '4318');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("fulcrum: Unknown option '--prot'");
  });

  it('rejects a bad port with exit code 2', () => {
    const r = fulcrum('serve', '--port', '99999');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('fulcrum: --port must be an integer from 0 to 65535, got "99999"');
  });

  it('names an unreachable ClickHouse on one line with exit code 2', () => {
    const r = fulcrum('serve', '--clickhouse-url', 'http://127.0.0.1:1');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('cannot reach ClickHouse at http://127.0.0.1:1');
  });

  it('rejects an unknown command with exit code 2', () => {
    const r = fulcrum('srve');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "srve"');
  });
});
