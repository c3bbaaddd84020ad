import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { buildReport, DEFAULT_WEIGHTS, type OverBudget } from '@fulcrum/query';
import { tempDataDir } from '../helpers/store.js';
import { llm, send } from './fixtures.js';
import { runCli } from '../helpers/cli.js';

/*
 * Spend over budget = Σ max(0, window spend − budget): over each session's
 * session windows (1h), and over each team's or repository's team windows
 * (24h, the sum of its sessions' windows). Read at report time, so budgets
 * given as API parameters or CLI flags apply without re-analysis.
 *
 * s1 (alpha, r1) spends $30 in one hour and $10 two hours later; s2 (alpha, r2)
 * $10; s3 (beta, r3) $20, all on one day.
 */

const cli = (...args: string[]) => runCli(args);

const H = 3_600_000;
let server: RunningServer | undefined;
let dataDir: string;
beforeAll(async () => {
  dataDir = tempDataDir();
  server = await startServer({ port: 0, store: { dataDir } });
  await send(server.url, [
    { session: 's1', team: 'alpha', repository: 'r1', spans: [llm('m1', 1000, 30), llm('m2', 2 * H, 10)] },
    { session: 's2', team: 'alpha', repository: 'r2', spans: [llm('m1', 60_000, 10)] },
    { session: 's3', team: 'beta', repository: 'r3', spans: [llm('m1', 60_000, 20)] },
  ]);
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
});
afterAll(async () => server?.close());

const byLevel = (over: OverBudget[]) => Object.fromEntries(over.map((o) => [o.level, { overUsd: o.overUsd, entities: o.entities, windows: o.windows, spendUsd: o.spendUsd }]));

const EXPECTED = {
  // s1's $30 hour is $5 over $25; its $10 hour and the others are under.
  session: { overUsd: 5, entities: 1, windows: 1, spendUsd: 40 },
  // alpha's day is $50 (30 + 10 + 10): $10 over $40; beta's $20 is under.
  team: { overUsd: 10, entities: 1, windows: 1, spendUsd: 50 },
  // r1 $40 → $25 over $15, r3 $20 → $5 over, r2 $10 under.
  repository: { overUsd: 30, entities: 2, windows: 2, spendUsd: 60 },
};

describe('spend over budget', () => {
  it('sums each window\'s excess over the session, team and repository budgets', async () => {
    const r = await buildReport(server!.app.store.client, { project: 'default' }, { budgets: { sessionUsd: 25, teamUsd: 40, repositoryUsd: 15 } });
    expect(r.total.spendUsd).toBeCloseTo(70, 9);
    expect(r.budgets.budgets).toEqual({ sessionUsd: 25, teamUsd: 40, repositoryUsd: 15, sessionWindowMinutes: 60, teamWindowMinutes: 1440 });
    expect(byLevel(r.budgets.over)).toEqual(EXPECTED);
    // Only the session budget (25, the default) applies when no other is set.
    const plain = await buildReport(server!.app.store.client, { project: 'default' });
    expect(plain.budgets.over.map((o) => [o.level, o.overUsd])).toEqual([['session', 5]]);
    // Scoped like every reader: a team filter keeps its sessions only.
    const beta = await buildReport(server!.app.store.client, { project: 'default', team: 'beta' }, { budgets: { sessionUsd: 15 } });
    expect(byLevel(beta.budgets.over).session).toEqual({ overUsd: 5, entities: 1, windows: 1, spendUsd: 20 });
  });

  it('gives the same figures from the API parameters, and weight.* parameters set the weights', async () => {
    const res = await server!.app.inject({ method: 'GET', url: '/api/reports/waste?sessionBudgetUsd=25&teamBudgetUsd=40&repositoryBudgetUsd=15&weight.mcp=2' });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(byLevel(r.budgets.over)).toEqual(EXPECTED);
    expect(r.weights).toEqual({ ...DEFAULT_WEIGHTS, mcp: 2 });
    const off = (await server!.app.inject({ method: 'GET', url: '/api/reports/waste?sessionBudgetUsd=0' })).json();
    expect(off.budgets.over).toEqual([]);
    for (const [q, message] of [
      ['teamBudgetUsd=-1', 'teamBudgetUsd must be a non-negative number'],
      ['weight.linesAdded=lots', 'weight.linesAdded must be a non-negative number'],
    ]) {
      const bad = await server!.app.inject({ method: 'GET', url: `/api/reports/waste?${q}` });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toContain(message);
      // The answer names the parameter, never the value sent (it could be a secret pasted by mistake).
      expect(bad.body).not.toContain(q.split('=')[1]);
    }
  });

  it('prints the headline beside waste, from the server the CLI asks', async () => {
    const r = await cli('report', '--server', server!.url, '--team-budget', '40', '--repository-budget', '15');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('over session budget: $5.00 in 1 session, which spent $40.00, 57% of spend (budget $25.00 per 1h session window)');
    expect(r.stdout).toContain('over team budget: $10.00 in 1 team, which spent $50.00, 71% of spend (budget $40.00 per 24h team window)');
    expect(r.stdout).toContain('over repository budget: $30.00 in 2 repositories, which spent $60.00, 86% of spend (budget $15.00 per 24h team window)');
    const md = await cli('report', '--server', server!.url, '--format', 'md');
    expect(md.stdout).toContain('\n- over session budget: $5.00 in 1 session');
  });

  it('reads budgets and weights from the config file, flags overriding them; a bad flag exits 2', async () => {
    await server!.close();
    server = undefined;
    const config = join(tempDataDir('fulcrum-config-'), 'fulcrum.config.json');
    writeFileSync(config, JSON.stringify({ budgets: { sessionUsd: 100, teamUsd: 40, repositoryUsd: 15 }, weights: { mcp: 0.5, skills: 0.25 } }));
    const fromFile = await cli('report', '--data-dir', dataDir, '--config', config, '--format', 'json');
    expect(fromFile.status).toBe(0);
    const f = JSON.parse(fromFile.stdout);
    expect(byLevel(f.budgets.over)).toEqual({ ...EXPECTED, session: { overUsd: 0, entities: 0, windows: 0, spendUsd: 0 } });
    expect(f.weights).toMatchObject({ mcp: 0.5, skills: 0.25 });

    const flags = await cli('report', '--data-dir', dataDir, '--config', config, '--format', 'json', '--session-budget', '25', '--team-budget', '0', '--weight', 'mcp=2');
    expect(flags.status).toBe(0);
    const g = JSON.parse(flags.stdout);
    expect(g.budgets.budgets).toMatchObject({ sessionUsd: 25, teamUsd: 0, repositoryUsd: 15 });
    expect(byLevel(g.budgets.over)).toEqual({ session: EXPECTED.session, repository: EXPECTED.repository });
    expect(g.weights).toMatchObject({ mcp: 2, skills: 0.25 });

    const lev = await cli('leverage', '--data-dir', dataDir, '--config', config, '--format', 'json', '--weight', 'linesAdded=1.5', '--weight', 'mcp=0');
    expect(JSON.parse(lev.stdout).weights).toEqual({ ...DEFAULT_WEIGHTS, linesAdded: 1.5, mcp: 0, skills: 0.25 });

    for (const [args, message] of [
      [['--session-budget', 'lots'], 'fulcrum: --session-budget must be a non-negative number, got "lots"\n'],
      [['--weight', 'speed=2'], 'fulcrum: --weight must be <activity>=<number> with activity one of linesAdded, linesRemoved, refactors, skills, mcp, got "speed=2"\n'],
      [['--weight', 'mcp=-1'], 'fulcrum: --weight mcp must be a non-negative number, got "-1"\n'],
    ] as const) {
      const bad = await cli('report', '--data-dir', dataDir, ...args);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toBe(message);
    }
  });
});
