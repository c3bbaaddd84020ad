import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrationsTableDdl } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

function fulcrum(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, FULCRUM_CLICKHOUSE_URL: '', FULCRUM_CLICKHOUSE_CLUSTER: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fulcrum migrate', () => {
  it('prints the single-node DDL of every migration without connecting', () => {
    const r = fulcrum(['migrate', '--print', '--clickhouse-url', 'http://127.0.0.1:1']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(migrationsTableDdl({}) + ';')).toBe(true);
    for (const m of MIGRATIONS) for (const s of m.statements({})) expect(r.stdout).toContain(`${s};`);
    expect(r.stdout).not.toContain('ON CLUSTER');
  });

  it('prints the cluster DDL with --cluster or FULCRUM_CLICKHOUSE_CLUSTER', () => {
    for (const r of [fulcrum(['migrate', '--print', '--cluster', 'prod']), fulcrum(['migrate', '--print'], { FULCRUM_CLICKHOUSE_CLUSTER: 'prod' })]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('CREATE TABLE IF NOT EXISTS spans_local ON CLUSTER prod (');
      expect(r.stdout).toContain('ENGINE = Distributed(prod, currentDatabase(), spans_local, cityHash64(Project, SessionId));');
    }
  });

  it('refuses a cluster on the embedded store and a cluster name that is not an identifier', () => {
    const embedded = fulcrum(['migrate', '--cluster', 'prod', '--data-dir', tempDataDir()]);
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toContain('--cluster needs a ClickHouse server');
    const bad = fulcrum(['migrate', '--print', '--cluster', 'prod; DROP TABLE spans']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('plain identifier');
  });

  it('applies pending migrations once, then reports the schema up to date', () => {
    const dir = tempDataDir();
    const first = fulcrum(['migrate', '--data-dir', dir]);
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe(`applied migrations ${[...MIGRATIONS].map((m) => m.id).sort((a, b) => a - b).join(', ')}`);
    const again = fulcrum(['migrate'], { FULCRUM_DATA_DIR: dir });
    expect(again.stdout.trim()).toBe('schema is up to date');
  });
});
