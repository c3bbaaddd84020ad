import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { runCli } from '../helpers/cli.js';
import { tempDataDir } from '../helpers/store.js';
import { buildSurvivalRepo, FIRST_RUN_FIGURES, type SurvivalRepo } from '../helpers/survival-repo.js';

/*
 * `fulcrum git sync --server` computes survival and rework too: git blame runs where the
 * repository is (the CLI's process) and the run reads and writes the server's store through
 * POST /api/git/survival. The figures are those a sync writing the store directly gives
 * (tests/cli/git-survival.test.ts), counted by hand from the same history.
 */
const NOW = Math.floor(Date.now() / 1000) * 1000;
let r: SurvivalRepo;
let server: RunningServer;

beforeAll(async () => {
  r = buildSurvivalRepo(tempDataDir('fulcrum-survival-server-'), NOW);
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, logger: false });
}, 60_000);
afterAll(async () => server?.close());

async function survival(): Promise<Record<string, unknown>> {
  const rs = await server.app.store.client.query({ query: 'SELECT Hash, LinesAdded, Surviving30d, Reworked21d FROM git_commit_survival FINAL WHERE Project = \'default\' ORDER BY Hash', format: 'JSONEachRow' });
  const name = Object.fromEntries(Object.entries(r.h).map(([k, v]) => [v, k]));
  return Object.fromEntries((await rs.json<{ Hash: string }>()).map(({ Hash, ...rest }) => [name[Hash] ?? Hash, rest]));
}

const call = (op: unknown, args: unknown) => fetch(`${server.url}/api/git/survival`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: 'api', branch: 'main', op, args }),
});

describe('survival through a server', () => {
  it('is computed by a sync through the server, with the figures of a direct sync', async () => {
    const synced = await runCli(['git', 'sync', r.repo, '--server', server.url, '--repository', 'api']);
    expect(synced.stderr).toBe('');
    expect(synced.status).toBe(0);
    expect(await survival()).toEqual(FIRST_RUN_FIGURES);
    // The state the next run starts from: the tip it blamed.
    const state = (await (await call('state', {})).json()) as { result: { tip: string } };
    expect(state.result.tip).toBe(r.git(['rev-parse', 'HEAD']));
  }, 60_000);

  it('refuses a malformed call with 400 and stores nothing from it', async () => {
    expect((await call('dropTable', {})).status).toBe(400);
    expect((await call('writeSurvival', { nowMs: NOW, rows: [{ hash: 'not-a-hash', linesAdded: 1, surviving30d: 1, reworked21d: null }] })).status).toBe(400);
    // A clock far ahead would pin rows (ComputedAt versions them): refused.
    expect((await call('writeSurvival', { nowMs: NOW + 30 * 86_400_000, rows: [{ hash: r.h.init, linesAdded: 2, surviving30d: 0, reworked21d: 0 }] })).status).toBe(400);
    expect((await call('originsOf', { paths: Array.from({ length: 2001 }, (_, i) => `f${i}`) })).status).toBe(400);
    expect(await survival()).toEqual(FIRST_RUN_FIGURES);
  });
});
