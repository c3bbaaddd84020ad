import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startServer, type RunningServer } from '@fulcrum/server';
import { buildReport, findRunaways, getSession, leverageByGroup, listSessions, type SessionNode } from '@fulcrum/query';
import type { FastifyInstance } from 'fastify';
import { tempDataDir } from '../helpers/store.js';
import { llm, loop, send, spanIdOf, tool, type SessionSpec } from './fixtures.js';

const DAY = 86_400_000;
const productive: SessionSpec = {
  session: 'productive', team: 'platform', repository: 'acme/infra',
  spans: [
    llm('m1', 1000, 1), tool('t1', 1500, 'Edit', 'e1', { 'fulcrum.file.path': 'a.ts', 'fulcrum.lines.added': 10, 'fulcrum.lines.removed': 2 }),
    llm('m2', 2000, 1), tool('t2', 2500, 'Write', 'w1', { 'fulcrum.file.path': 'b.ts', 'fulcrum.lines.added': 20 }),
    { id: 'k1', parent: 'root', at: 3000, attrs: { 'fulcrum.span.type': 'skill', 'fulcrum.skill.name': 'pdf' } },
    { id: 'p1', parent: 'root', at: 3500, attrs: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search_issues', 'fulcrum.mcp.server': 'github' } },
    tool('task', 4000, 'Task', 'task1'),
    { id: 'sub', parent: 'task', at: 4100, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'explorer' } },
    llm('sm1', 4200, 0, 10, 'sub'), tool('st1', 4300, 'Read', 'sr', { 'fulcrum.file.path': 'c.ts', 'fulcrum.tool.result_size': 10 }, 'sub'),
  ],
};
const mobileDays: SessionSpec[] = [0, 1, 2, 3].map((d) => ({
  session: `mobile-day${d}`, team: 'mobile', repository: 'acme/app', offsetMs: d * DAY,
  spans: loop([{ tool: 'Read', hash: `r${d}`, extra: { 'fulcrum.file.path': 'x.ts' } }], d === 3 ? 10 : 1),
}));
const runaway: SessionSpec = {
  session: 'runaway', team: 'payments', offsetMs: 3 * DAY,
  spans: loop(Array.from({ length: 40 }, (_, i) => ({ tool: 'Bash', hash: `c${i}`, extra: { 'fulcrum.command': `make step${i}` } })), 1),
};
const ALL = [productive, ...mobileDays, runaway];

let server: RunningServer;
let other: FastifyInstance;
const client = () => server.app.store.client;

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  other = await buildApp({ store: server.app.store, defaultProject: 'other' });
  await other.listen({ port: 0, host: '127.0.0.1' });
  await send(server.url, ALL);
  const addr = other.server.address() as { port: number };
  await send(`http://127.0.0.1:${addr.port}`, [{ session: 'secret', team: 'platform', spans: loop([{ tool: 'Read', hash: 'r' }, { tool: 'Read', hash: 'r' }, { tool: 'Read', hash: 'r' }], 5) }]);
  await server.app.spanWriter.flush();
  await other.spanWriter.flush();
  await server.app.analyser.runNow(0);
});
afterAll(async () => {
  await other?.close();
  await server?.close();
});

const names = (n: SessionNode): unknown => ({ id: n.spanId, children: n.children.map(names) });

describe('sessions, leverage and runaways', () => {
  it('computes a session leverage from its spans: Σ activity × weight / $', async () => {
    const [s] = await listSessions(client(), { project: 'default', team: 'platform' });
    expect(s).toMatchObject({ sessionId: 'productive', linesAdded: 30, linesRemoved: 2, refactors: 1, skills: 1, mcp: 1, spendUsd: 2, modelCalls: 3 });
    expect(s!.leverage).toBeCloseTo((30 + 2 * 0.875 + 0.75 + 1 + 0.875) / 2, 10);
  });
  it('rebuilds the tree with the subagent under the Task call that spawned it', async () => {
    const d = await getSession(client(), { project: 'default', sessionId: 'productive' });
    const id = (x: string) => spanIdOf('productive', x);
    expect(d!.roots.map(names)).toEqual([{ id: id('root'), children: [
      { id: id('m1'), children: [] }, { id: id('t1'), children: [] }, { id: id('m2'), children: [] }, { id: id('t2'), children: [] },
      { id: id('k1'), children: [] }, { id: id('p1'), children: [] },
      { id: id('task'), children: [{ id: id('sub'), children: [{ id: id('sm1'), children: [] }, { id: id('st1'), children: [] }] }] },
    ] }]);
    expect(d!.spendUsd).toBe(2);
  });
  it('flags the runaway session over budget and the team day above 3x its trailing median', async () => {
    const r = await findRunaways(client(), { project: 'default' });
    expect(r.map((x) => ({ level: x.level, entity: x.entity, reasons: x.reasons, spend: x.spendUsd }))).toEqual([
      { level: 'session', entity: 'runaway', reasons: ['spend_budget'], spend: 40 },
      { level: 'team', entity: 'mobile', reasons: ['spend_spike'], spend: 10 },
    ]);
    expect(r[1]!.trailingMedianSpendUsd).toBe(1);
  });
  it('aggregates by team with Σ weighted / Σ spend', async () => {
    const l = await leverageByGroup(client(), { project: 'default' }, { by: 'team' });
    expect(l.total).toMatchObject({ sessions: 6, spendUsd: 55 });
    expect(l.groups.map((g) => [g.key, g.sessions, g.spendUsd])).toEqual([['payments', 1, 40], ['mobile', 4, 13], ['platform', 1, 2]]);
  });
  it('gives the total alone for --by all', async () => {
    const all = await leverageByGroup(client(), { project: 'default' }, { by: 'all' });
    const team = await leverageByGroup(client(), { project: 'default' }, { by: 'team' });
    expect(all.groups).toEqual([]);
    expect(all.total).toEqual(team.total);
  });
  it('counts re-sent spans once', async () => {
    const before = await buildReport(client(), { project: 'default' });
    await send(server.url, ALL);
    await server.app.spanWriter.flush();
    await server.app.analyser.runNow(0);
    const after = await buildReport(client(), { project: 'default' });
    expect({ ...after, generatedAt: '' }).toEqual({ ...before, generatedAt: '' });
    expect((await getSession(client(), { project: 'default', sessionId: 'runaway' }))!.spans).toBe(81);
  });
  it('never shows another project\'s data', async () => {
    const mine = await listSessions(client(), { project: 'default' }, { limit: 100 });
    expect(mine.map((s) => s.sessionId)).not.toContain('secret');
    expect(await getSession(client(), { project: 'default', sessionId: 'secret' })).toBeUndefined();
    const theirs = await buildReport(client(), { project: 'other' });
    expect(theirs.total.sessions).toBe(1);
    expect(theirs.waste.worstSessions.map((s) => s.sessionId)).toEqual(['secret']);
    expect(theirs.waste.categories.map((c) => [c.kind, c.costUsd])).toEqual([['repeated_call', 10]]);
  });
});
