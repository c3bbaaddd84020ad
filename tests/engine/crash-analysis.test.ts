import { describe, expect, it } from 'vitest';
import { openStore } from '@fulcrum/store';
import { pendingSessions } from '@fulcrum/query';
import { tempDataDir } from '../helpers/store.js';
import { mulberry32, startChild } from '../reliability/child-server.js';
import { loop, send, type SessionSpec } from '../query/fixtures.js';

const SEED = 20261130;
const ROUNDS = 3;
const SESSIONS_PER_ROUND = 60;
const session = (round: number, i: number): SessionSpec => ({
  session: `crash-${round}-${i}`,
  spans: loop(Array.from({ length: 5 }, (_, k) => ({ tool: 'Bash', hash: k < 3 ? 'same' : `c${k}`, extra: { 'fulcrum.command': k < 3 ? 'npm test' : `make ${k}` } })), 0.01),
});

describe('crash: SIGKILL while sessions are being analysed', () => {
  it('loses nothing and leaves no session unanalysed after a restart', async () => {
    const dataDir = tempDataDir('fulcrum-crash-analysis-');
    const rand = mulberry32(SEED);
    for (let round = 0; round < ROUNDS; round++) {
      // A short quiet delay, so analysis runs while the process is killed.
      const child = await startChild(dataDir, ['--analyse-after', '100ms']);
      await send(child.url, Array.from({ length: SESSIONS_PER_ROUND }, (_, i) => session(round, i)));
      await new Promise((r) => setTimeout(r, 100 + Math.floor(rand() * 600)));
      child.proc.kill('SIGKILL');
      expect(await child.exited).toBe(null);
    }
    const last = await startChild(dataDir, ['--analyse-after', '0ms']);
    const total = ROUNDS * SESSIONS_PER_ROUND;
    let listed: { sessionId: string; modelCalls: number; toolCalls: number; wasteUsd: number }[] = [];
    for (const until = Date.now() + 30_000; Date.now() < until; ) {
      listed = (await (await fetch(`${last.url}/api/sessions?limit=10000`)).json()) as typeof listed;
      if (listed.length === total) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    last.proc.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    expect(listed).toHaveLength(total);
    // Every session whole: five model calls, five tool calls, and its loop priced once (2 repeats × $0.01).
    for (const s of listed) expect([s.modelCalls, s.toolCalls, Number(s.wasteUsd.toFixed(6))], s.sessionId).toEqual([5, 5, 0.02]);

    const store = await openStore({ dataDir });
    try {
      expect(await pendingSessions(store.client)).toEqual([]);
      const rs = await store.client.query({ query: "SELECT count() AS n, uniqExact(SessionId) AS sessions FROM span_verdicts FINAL WHERE Project = 'default' AND Kind != ''", format: 'JSONEachRow' });
      expect(await rs.json()).toEqual([{ n: 2 * total, sessions: total }]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
