import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { analysePending, buildReport, findWaste, pendingSessions, reanalyse } from '@fulcrum/query';
import { tempDataDir } from '../helpers/store.js';
import { loop, send, type SessionSpec } from '../query/fixtures.js';

const repeat = (session: string, n: number, team = 'payments'): SessionSpec => ({ session, team, spans: loop(Array.from({ length: n }, () => ({ tool: 'WebFetch', hash: 'same' })), 0.01) });

let server: RunningServer;
const client = () => server.app.store.client;

beforeAll(async () => {
  // Analysis driven by hand here, so each step's settings are the test's.
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, analysis: false });
  await send(server.url, [repeat('five', 5), repeat('seven', 7, 'platform')]);
  await server.app.spanWriter.flush();
  expect((await analysePending(server.app.store, { quietMs: 0 })).sessions).toBe(2);
});
afterAll(async () => server?.close());

describe('re-analysis after a settings change', () => {
  it('reanalyse with a higher repeat threshold clears the loops it no longer counts, with progress', async () => {
    expect((await findWaste(client(), { project: 'default', sessionId: 'five' }))[0]!.wasteSpanIds).toHaveLength(4);
    const progress: number[] = [];
    const r = await reanalyse(server.app.store, { project: 'default', config: { minRepeat: 6 }, onProgress: (done) => progress.push(done) });
    expect(r).toMatchObject({ sessions: 2 });
    expect(progress.at(-1)).toBe(2);
    // Five identical calls are no loop when six make one; seven still are.
    expect(await findWaste(client(), { project: 'default', sessionId: 'five' })).toEqual([]);
    expect((await findWaste(client(), { project: 'default', sessionId: 'seven' }))[0]!.wasteSpanIds).toHaveLength(6);
    const report = await buildReport(client(), { project: 'default' });
    expect(report.waste.categories).toEqual([{ kind: 'repeated_call', findings: 1, spans: 6, tokens: 6000, costUsd: expect.closeTo(0.06, 10), estimated: false }]);
  });

  it('sessions analysed under other settings are pending again, so a restart with a changed config re-analyses them', async () => {
    expect(await pendingSessions(client(), { config: { minRepeat: 6 } })).toEqual([]);
    expect((await pendingSessions(client(), { config: { minRepeat: 3 } })).map((p) => p.sessionId)).toEqual(['five', 'seven']);
    await analysePending(server.app.store, { quietMs: 0, config: { minRepeat: 3 } });
    expect((await findWaste(client(), { project: 'default', sessionId: 'five' }))[0]!.wasteSpanIds).toHaveLength(4);
    expect(await pendingSessions(client(), { config: { minRepeat: 3 } })).toEqual([]);
  });

  it('reanalyse --since leaves sessions that started earlier alone', async () => {
    const r = await reanalyse(server.app.store, { project: 'default', since: new Date('2100-01-01'), config: { minRepeat: 6 } });
    expect(r.sessions).toBe(0);
    expect((await findWaste(client(), { project: 'default', sessionId: 'five' }))[0]!.wasteSpanIds).toHaveLength(4);
  });
});
