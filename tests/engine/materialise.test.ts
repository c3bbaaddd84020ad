import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startServer, type RunningServer } from '@fulcrum/server';
import { buildReport, findWaste, listSessions } from '@fulcrum/query';
import type { FastifyInstance } from 'fastify';
import { tempDataDir } from '../helpers/store.js';
import { llm, loop, send, spanIdOf, tool, type SessionSpec } from '../query/fixtures.js';

const QUIET_MS = 400;
const repeat = (session: string, n: number): SessionSpec => ({ session, spans: loop(Array.from({ length: n }, () => ({ tool: 'WebFetch', hash: 'same' })), 0.01) });

let server: RunningServer;
let other: FastifyInstance;
const client = () => server.app.store.client;
const waitFor = async <T>(what: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, analysis: { analyseAfterMs: QUIET_MS, pollMs: 50 } });
  // A second project on the same store, with analysis left to the first app's analyser.
  other = await buildApp({ store: server.app.store, defaultProject: 'other', analysis: false });
  await other.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await other?.close();
  await server?.close();
});

describe('materialised analysis in fulcrum serve', () => {
  it('a session sent over OTLP appears in the report once it has been quiet for the delay, not before', async () => {
    const sentAt = Date.now();
    await send(server.url, [repeat('quiet', 4)]);
    await server.app.spanWriter.flush();
    expect((await listSessions(client(), { project: 'default' })).map((s) => s.sessionId)).toEqual([]);
    const listed = await waitFor(() => listSessions(client(), { project: 'default' }), (l) => l.length > 0);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(QUIET_MS);
    expect(listed).toMatchObject([{ sessionId: 'quiet', modelCalls: 4, toolCalls: 4, spendUsd: 0.04 }]);
    const report = await buildReport(client(), { project: 'default' });
    expect(report.waste.categories).toEqual([{ kind: 'repeated_call', findings: 1, spans: 3, tokens: 3000, costUsd: 0.03, estimated: false }]);
    expect(report.waste.worstSessions[0]!.findings[0]!.wasteSpanIds).toEqual(['t2', 't3', 't4'].map((t) => spanIdOf('quiet', t)));
  });

  it('a late span re-classifies its session: a fifth identical call joins the finding', async () => {
    await send(server.url, [{ session: 'quiet', spans: [llm('m5', 5000, 0.01), tool('t5', 5500, 'WebFetch', 'same')] }]);
    await server.app.spanWriter.flush();
    const findings = await waitFor(() => findWaste(client(), { project: 'default', sessionId: 'quiet' }), (f) => f[0]?.wasteSpanIds.length === 4);
    expect(findings.map((f) => ({ kind: f.kind, waste: f.wasteSpanIds, usd: Number(f.costUsd.toFixed(6)) }))).toEqual([
      { kind: 'repeated_call', waste: ['t2', 't3', 't4', 't5'].map((t) => spanIdOf('quiet', t)), usd: 0.04 },
    ]);
    expect((await listSessions(client(), { project: 'default' }))[0]).toMatchObject({ modelCalls: 5, wasteUsd: expect.closeTo(0.04, 10) });
  });

  it('a late span that breaks a loop clears the verdicts it no longer supports', async () => {
    await send(server.url, [repeat('broken', 3)]);
    await server.app.spanWriter.flush();
    await waitFor(() => findWaste(client(), { project: 'default', sessionId: 'broken' }), (f) => f.length === 1);
    // A different call between the 2nd and 3rd: no run of three identical calls is left.
    await send(server.url, [{ session: 'broken', spans: [llm('m2b', 2700, 0.01), tool('t2b', 2800, 'Bash', 'other', { 'fulcrum.command': 'ls' })] }]);
    await server.app.spanWriter.flush();
    const after = await waitFor(() => findWaste(client(), { project: 'default', sessionId: 'broken' }), (f) => f.length === 0);
    expect(after).toEqual([]);
    const [s] = await listSessions(client(), { project: 'default', sessionId: 'broken' });
    expect(s).toMatchObject({ toolCalls: 4, wasteUsd: 0 });
  });

  it("a second project's sessions never mix with the first's", async () => {
    const addr = other.server.address() as { port: number };
    await send(`http://127.0.0.1:${addr.port}`, [repeat('quiet', 6)]);
    await other.spanWriter.flush();
    const theirs = await waitFor(() => listSessions(client(), { project: 'other' }), (l) => l.length > 0);
    expect(theirs).toMatchObject([{ sessionId: 'quiet', modelCalls: 6 }]);
    expect((await findWaste(client(), { project: 'other', sessionId: 'quiet' }))[0]!.wasteSpanIds).toHaveLength(5);
    expect((await findWaste(client(), { project: 'default', sessionId: 'quiet' }))[0]!.wasteSpanIds).toHaveLength(4);
    expect((await buildReport(client(), { project: 'default' })).total.sessions).toBe(2);
  });
});
