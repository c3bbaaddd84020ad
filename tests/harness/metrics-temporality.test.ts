import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { tempDataDir } from '../helpers/store.js';
import { rows } from './replay.js';

const T0 = 1_795_338_000_000_000_000n;
const s = (n: number) => String(T0 + BigInt(n) * 1_000_000_000n);

function sumRequest(temporality: 1 | 2, points: [number, number, number][], session = 'sess-1') {
  return JSON.stringify({
    resourceMetrics: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
      scopeMetrics: [{ scope: { name: 'test' }, metrics: [{
        name: 'claude_code.lines_of_code.count',
        sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: points.map(([start, time, v]) => ({
          startTimeUnixNano: s(start), timeUnixNano: s(time), asDouble: v,
          attributes: [{ key: 'session.id', value: { stringValue: session } }, { key: 'type', value: { stringValue: 'added' } }],
        })) },
      }] }],
    }],
  });
}

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
});
afterAll(async () => server?.close());

async function post(body: string) {
  const res = await fetch(server.url + '/v1/metrics', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status).toBe(200);
}

async function linesAdded(session: string): Promise<number> {
  const [r] = await rows<{ v: number }>(server.app.store.client, `SELECT sum(Value) AS v FROM session_metrics FINAL WHERE SessionId = {s:String} AND Activity = 'lines_added'`, { s: session });
  return Number(r!.v);
}

describe('session_metrics', () => {
  it('sums delta windows and counts a retried export once', async () => {
    await post(sumRequest(1, [[0, 10, 3]], 'delta'));
    await post(sumRequest(1, [[10, 20, 4]], 'delta'));
    await post(sumRequest(1, [[10, 20, 4]], 'delta'));
    expect(await linesAdded('delta')).toBe(7);
  });

  it('keeps the latest cumulative value per series, and adds a restarted series', async () => {
    await post(sumRequest(2, [[0, 10, 3]], 'cumul'));
    await post(sumRequest(2, [[0, 20, 7]], 'cumul'));
    await post(sumRequest(2, [[0, 20, 7]], 'cumul'));
    expect(await linesAdded('cumul')).toBe(7);
    await post(sumRequest(2, [[30, 40, 2]], 'cumul'));
    expect(await linesAdded('cumul')).toBe(9);
  });
});
