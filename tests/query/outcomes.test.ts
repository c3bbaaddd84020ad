import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@fulcrum/server';
import { linkSessionsToCommits, outcomesByGroup } from '@fulcrum/query';
import { syncBranch } from '@fulcrum/cli/git/sync';
import { storeSink } from '@fulcrum/cli/git/sinks';
import { tempDataDir } from '../helpers/store.js';
import { llm, send, T0, tool, type SessionSpec, type SpanSpec } from './fixtures.js';

/*
 * A real repository built with the git CLI and sessions sent over OTLP to a
 * listening server whose edits match its commits: an agent commit named by its
 * session trailer, a human commit, a squash-merged PR written by a session that
 * no trailer names, an agent commit and its revert, two sessions on one commit,
 * a session that lands nothing, and a session of another repository. The
 * branch is synced into the server's chDB store (linking runs at its end), and
 * the outcome figures are read back exactly.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const root = tempDataDir('fulcrum-outcomes-');
const repo = join(root, 'api');
const gitEnv = { ...process.env, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
function git(args: string[], atMs?: number): string {
  const date = atMs === undefined ? {} : { GIT_AUTHOR_DATE: new Date(atMs).toISOString(), GIT_COMMITTER_DATE: new Date(atMs).toISOString() };
  return execFileSync('git', args, { cwd: repo, env: { ...gitEnv, ...date }, encoding: 'utf8' }).trim();
}
const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join('\n') + '\n';
function commit(files: Record<string, string>, message: string[], atMs: number): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git(['add', '-A']);
  git(['commit', '-q', ...message.flatMap((m) => ['-m', m])], atMs);
  return git(['rev-parse', 'HEAD']);
}

/** A session on day `d` by `user`: one $-costing model call per edit, each edit adding `added` lines to its file. */
function session(id: string, d: number, user: string, team: string, edits: { path: string; added: number; usd: number }[], extra: SpanSpec[] = [], repository = 'acme/api'): SessionSpec {
  const spans = edits.flatMap((e, i) => [
    llm(`m${i}`, 1000 + i * 2000, e.usd),
    tool(`t${i}`, 1500 + i * 2000, i % 2 ? 'Edit' : 'Write', `h-${id}-${i}`, { 'fulcrum.file.path': e.path, 'fulcrum.lines.added': e.added }),
  ]);
  return { session: id, team, user, repository, offsetMs: d * DAY, spans: [...spans, ...extra] };
}
const prompt = (id: string): SpanSpec => ({ id, parent: 'root', at: 500, name: 'claude_code.interaction', attrs: {} });

const SESSIONS: SessionSpec[] = [
  // Named by its commit's trailer; one prompt, a Write and a Read: 2 tool calls.
  session('s-trailer', 0, 'u1', 'platform', [{ path: 'src/a.ts', added: 10, usd: 2 }], [prompt('p1'), tool('r1', 5000, 'Read', 'r1', { 'fulcrum.file.path': 'src/a.ts' })]),
  // Wrote 8 lines to b.ts; the squash-merged PR landed 6 of them; no trailer: linked by files. One prompt, one tool call.
  session('s-pr', 2, 'u2', 'platform', [{ path: 'src/b.ts', added: 8, usd: 4 }], [prompt('p2')]),
  // Its commit (named by trailer) was reverted the day after.
  session('s-reverted', 3, 'u3', 'platform', [{ path: 'src/c.ts', added: 4, usd: 1 }]),
  // Two sessions on one commit: 6 + 4 lines of d.ts.
  session('s-pair-a', 5, 'u4', 'platform', [{ path: 'src/d.ts', added: 6, usd: 3 }]),
  session('s-pair-b', 5, 'u5', 'platform', [{ path: 'src/d.ts', added: 4, usd: 1 }]),
  // Cost money and landed nothing.
  session('s-abandoned', 6, 'u6', 'solo', [{ path: 'src/e.ts', added: 7, usd: 5 }]),
  // Another repository (never synced) editing a path of the same name: neither linked nor abandoned.
  session('s-elsewhere', 5, 'u1', 'platform', [{ path: 'src/d.ts', added: 3, usd: 1 }], [], 'acme/other'),
];

const at = (d: number, h: number) => T0 + d * DAY + h * HOUR;
const h: Record<string, string> = {};
let server: RunningServer;
const dataDir = tempDataDir();
const client = () => server.app.store.client;

beforeAll(async () => {
  mkdirSync(repo, { recursive: true });
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'Ada Human']);
  git(['config', 'user.email', 'ada@example.com']);
  git(['config', 'commit.gpgsign', 'false']);
  h.agent = commit({ 'src/a.ts': lines(10, 'a') }, ['Add a', 'Co-authored-by: Claude <noreply@anthropic.com>\nSession-Id: s-trailer'], at(0, 1));
  h.human = commit({ 'README.md': lines(5, 'r') }, ['Write readme'], at(1, 1));
  h.pr = commit({ 'src/b.ts': lines(6, 'b') }, ['Add b (#7)'], at(2, 1));
  h.reverted = commit({ 'src/c.ts': lines(4, 'c') }, ['Add c', 'Session-Id: s-reverted'], at(3, 1));
  git(['revert', '--no-edit', 'HEAD'], at(4, 1));
  h.pair = commit({ 'src/d.ts': lines(10, 'd') }, ['Add d'], at(5, 2));
  // The latest commit, two weeks on: every session above ended more than the 7-day window before it.
  h.docs = commit({ 'docs/notes.md': lines(2, 'n') }, ['Notes'], at(20, 1));

  server = await startServer({ port: 0, store: { dataDir } });
  await send(server.url, SESSIONS);
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
  const target = { project: 'default', repository: 'acme/api', branch: 'main' };
  // Survival and rework (git blame) too: every commit here is far more than 30 days old.
  await syncBranch({ path: repo, ref: 'refs/heads/main', sink: storeSink(server.app.store, target), survival: {} });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('linking sessions to the commits that landed', () => {
  it('links by trailer first, then by files in the same repository, sharing a commit by lines', async () => {
    const rs = await client().query({
      query: 'SELECT Hash, SessionId, Rule, Share, LandedLines FROM session_commits FINAL WHERE Project = {p:String} ORDER BY CommitTime, SessionId',
      query_params: { p: 'default' }, format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([
      { Hash: h.agent, SessionId: 's-trailer', Rule: 'trailer', Share: 1, LandedLines: 10 },
      { Hash: h.pr, SessionId: 's-pr', Rule: 'files', Share: 1, LandedLines: 6 },
      { Hash: h.reverted, SessionId: 's-reverted', Rule: 'trailer', Share: 1, LandedLines: 4 },
      { Hash: h.pair, SessionId: 's-pair-a', Rule: 'files', Share: 0.6, LandedLines: 6 },
      { Hash: h.pair, SessionId: 's-pair-b', Rule: 'files', Share: 0.4, LandedLines: 4 },
    ]);
  });

  it('is idempotent: linking again gives the same links', async () => {
    const again = await linkSessionsToCommits(server.app.store, { project: 'default', repository: 'acme/api', branch: 'main' });
    expect(again).toMatchObject({ trailer: 2, files: 3 });
    const total = (await outcomesByGroup(client(), { project: 'default' }, { by: 'all' })).total;
    expect(total.commits).toBe(4);
  });

  it('drops links that no longer hold: readers take the latest run, even one that links fewer', async () => {
    // A 1 ms window: no edit is close enough to its commit, so only the trailer links hold.
    const narrow = await linkSessionsToCommits(server.app.store, { project: 'default', repository: 'acme/api', branch: 'main', windowMs: 1 });
    expect(narrow).toMatchObject({ trailer: 2, files: 0 });
    const total = (await outcomesByGroup(client(), { project: 'default' }, { by: 'all' })).total;
    expect(total).toMatchObject({ commits: 2, landedLines: 0 }); // the trailer links' lines are matched by edits within the window too
    const rs = await client().query({ query: "SELECT SessionId, Commits FROM session_outcomes FINAL WHERE Project = 'default' AND ComputedAt = (SELECT max(ComputedAt) FROM session_outcomes) AND SessionId != '' ORDER BY SessionId", format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([
      { SessionId: 's-abandoned', Commits: [] }, { SessionId: 's-pair-a', Commits: [] }, { SessionId: 's-pair-b', Commits: [] },
      { SessionId: 's-pr', Commits: [] }, { SessionId: 's-reverted', Commits: [h.reverted] }, { SessionId: 's-trailer', Commits: [h.agent] },
    ]);
    // Linking again with the default window restores every link (and the figures below).
    expect(await linkSessionsToCommits(server.app.store, { project: 'default', repository: 'acme/api', branch: 'main' })).toMatchObject({ trailer: 2, files: 3, sessions: 6 });
    expect((await outcomesByGroup(client(), { project: 'default' }, { by: 'all' })).total).toMatchObject({ commits: 4, landedLines: 30 });
  });
});

describe('outcome figures', () => {
  it('gives exact landed lines, landing, revert rate, cost per accepted change, abandoned $ and tool calls per prompt', async () => {
    const r = await outcomesByGroup(client(), { project: 'default' }, { by: 'team' });
    expect(r.outcomesAvailable).toBe(true);
    expect(r.total).toMatchObject({
      withheld: false, sessions: 6, commits: 4, pullRequests: 1, linesWritten: 39, landedLines: 30, landedLinesEstimated: true,
      revertRate: 0.25, costPerAcceptedChange: 11 / 4, costPerPullRequest: 11, abandonedUsd: 5, toolCallsPerPrompt: 3 / 2,
    });
    // 26 of the 30 landed lines are at the tip (the reverted commit's 4 are not), and those 4 were changed again within 21 days.
    expect(r.total.survival30d).toBeCloseTo(26 / 30, 12);
    expect(r.total.reworkRate).toBeCloseTo(4 / 30, 12);
    expect(r.total.survivalReason).toBeNull();
    expect(r.total.landingRate).toBeCloseTo(30 / 39, 12);
    // Landed lines in place of lines added, over the $ of the sessions whose outcomes are known (16).
    expect(r.total.landedLeverage).toBeCloseTo(30 / 16, 12);
  });

  it('withholds a group covering fewer than k people, and shows it with k = 1', async () => {
    const k5 = await outcomesByGroup(client(), { project: 'default' }, { by: 'team' });
    expect(k5.groups.map((g) => [g.key, g.withheld, g.reason, g.landedLines])).toEqual([
      ['platform', false, null, 30],
      ['solo', true, 'fewer than 5 people', null],
    ]);
    const k1 = await outcomesByGroup(client(), { project: 'default' }, { by: 'team', minGroupSize: 1 });
    expect(k1.groups.find((g) => g.key === 'solo')).toMatchObject({ withheld: false, landedLines: 0, abandonedUsd: 5, linesWritten: 7 });
    // The total is withheld too when it covers fewer than k people.
    const k7 = await outcomesByGroup(client(), { project: 'default' }, { by: 'all', minGroupSize: 7 });
    expect(k7.total).toMatchObject({ withheld: true, reason: 'fewer than 7 people', commits: null });
  });

  it('never groups outcomes by person', async () => {
    await expect(outcomesByGroup(client(), { project: 'default', individual: true }, { by: 'user' as never })).rejects.toThrow(/never shown per person/);
  });
});

describe('faces: fulcrum outcomes and GET /api/outcomes', () => {
  const linkCount = async () => {
    const rs = await client().query({ query: 'SELECT count() AS n FROM session_commits', format: 'JSONEachRow' });
    return Number((await rs.json<{ n: number }>())[0]!.n);
  };

  it('links again when a sync through the server completes', async () => {
    await client().command({ query: 'TRUNCATE TABLE session_commits' });
    expect(await linkCount()).toBe(0);
    const synced = await runCli(['git', 'sync', repo, '--server', server.url, '--repository', 'acme/api']);
    expect(synced.stderr).toBe('');
    expect(synced.status).toBe(0);
    expect(await linkCount()).toBe(5);
  });

  it('answers GET /api/outcomes and the CLI through the server with the figures above, small groups withheld', async () => {
    const res = await fetch(`${server.url}/api/outcomes?by=team`);
    expect(res.status).toBe(200);
    const api = (await res.json()) as { total: Record<string, unknown>; groups: Record<string, unknown>[]; outcomesAvailable: boolean; minGroupSize: number };
    expect(api).toMatchObject({ outcomesAvailable: true, minGroupSize: 5 });
    expect(api.total).toMatchObject({ commits: 4, pullRequests: 1, linesWritten: 39, landedLines: 30, revertRate: 0.25, costPerAcceptedChange: 2.75, abandonedUsd: 5, toolCallsPerPrompt: 1.5, landedLinesEstimated: true });
    expect(api.groups.map((g) => [g.key, g.withheld, g.reason])).toEqual([['platform', false, null], ['solo', true, 'fewer than 5 people']]);
    const perPerson = await fetch(`${server.url}/api/outcomes?by=user&individual=true`);
    expect(perPerson.status).toBe(400);

    const cli = await runCli(['outcomes', '--server', server.url, '--format', 'json']);
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(api);
    const table = await runCli(['outcomes', '--server', server.url]);
    expect(table.stdout).toMatch(/solo\s*\|?\s*withheld: fewer than 5 people/);
  });

  it('puts outcomes in the report: landed leverage becomes the headline, with an Outcomes section', async () => {
    const res = await fetch(`${server.url}/api/reports/waste`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as { outcomes: { available: boolean; total: Record<string, unknown> } };
    expect(report.outcomes.available).toBe(true);
    expect(report.outcomes.total).toMatchObject({ commits: 4, landedLines: 30, landedLeverage: 1.875, costPerAcceptedChange: 2.75, abandonedUsd: 5 });
    const md = await runCli(['report', '--server', server.url, '--format', 'md']);
    expect(md.status).toBe(0);
    expect(md.stdout).toContain('**7 sessions, spend $17.00, leverage on landed work 1.88 activity per $ (on activity 2.47 activity per $), wasted $0.00 (0 tokens)**');
    expect(md.stdout).toContain([
      '### Outcomes\n',
      '- 4 commits landed (1 pull request), $2.75 per accepted change',
      '- 30 of 39 lines written landed (76.9%; estimated from line counts)',
      '- survival after 30 days 86.7%, rework within 21 days 13.3%, reverted 25.0%',
      '- abandoned spend $5.00 (sessions that cost money and landed nothing)',
    ].join('\n'));
  });

  it('shows every group with privacy.minGroupSize 1 in the config file (reading the store directly)', async () => {
    await server.close();
    const config = join(root, 'fulcrum.config.json');
    writeFileSync(config, JSON.stringify({ privacy: { minGroupSize: 1 } }));
    const cli = await runCli(['outcomes', '--data-dir', dataDir, '--config', config, '--format', 'json']);
    expect(cli.stderr).toBe('');
    const r = JSON.parse(cli.stdout) as { minGroupSize: number; groups: Record<string, unknown>[] };
    expect(r.minGroupSize).toBe(1);
    expect(r.groups.find((g) => g.key === 'solo')).toMatchObject({ withheld: false, abandonedUsd: 5, landedLines: 0, linesWritten: 7 });
    writeFileSync(config, JSON.stringify({ privacy: { minGroupSize: 0 } }));
    const refused = await runCli(['outcomes', '--data-dir', dataDir, '--config', config]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/privacy\.minGroupSize/);
  });
});
