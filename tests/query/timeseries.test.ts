import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStartMs, listSessions, parseQueryParams, QueryParamError, spendTimeseries, type Timeseries } from '@fulcrum/query';
import { llm, loop, T0, tool, type SessionSpec } from './fixtures.js';
import { seed, type Seeded } from './seed.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

// T0 is Saturday 2025-11-22 08:26:40Z; a session starts when its root span does.
const SESSIONS: SessionSpec[] = [
  { session: 'a1', team: 'payments', spans: loop([{ tool: 'Bash', hash: 'a', extra: { 'fulcrum.command': 'ls' } }, { tool: 'Bash', hash: 'b', extra: { 'fulcrum.command': 'pwd' } }], 1) },
  { session: 'a2', team: 'payments', offsetMs: 20 * MIN, spans: loop([{ tool: 'Read', hash: 'r', extra: { 'fulcrum.file.path': 'a.ts' } }], 0.5) },
  // 3 lines added for $0.75: leverage 3 × 1 / 0.75 = 4 at the default weights.
  { session: 'b1', team: 'mobile', offsetMs: 2 * HOUR, spans: [
    llm('m1', 1000, 0.25), tool('t1', 1500, 'Edit', 'e', { 'fulcrum.file.path': 'x.ts', 'fulcrum.lines.added': 3 }),
    llm('m2', 2000, 0.25), llm('m3', 3000, 0.25),
  ] },
  // A call repeated 4 times ($0.30 of waste), and a call the guard denied (an estimated $0.20 prevented).
  { session: 'c1', team: 'payments', offsetMs: DAY, spans: [
    ...loop([1, 2, 3, 4].map(() => ({ tool: 'WebFetch', hash: 'same' })), 0.1),
    { id: 'g1', name: 'fulcrum.guard', parent: 'root', at: 6000, attrs: { 'fulcrum.guard.policy': 'identical_call', 'fulcrum.guard.decision': 'denied', 'fulcrum.guard.saved_usd': 0.2 } },
  ] },
];
const SECRET: SessionSpec[] = [{ session: 'secret', team: 'payments', spans: loop([1, 2, 3].map(() => ({ tool: 'Read', hash: 'r' })), 50) }];

let db: Seeded;
const scope = { project: 'default' };
const points = (ts: Timeseries) => ts.series.map((s) => ({ key: s.key, points: s.points.map((p) => ({ t: p.t, sessions: p.sessions, spendUsd: round(p.spendUsd), wasteUsd: round(p.wasteUsd), preventedUsd: round(p.preventedUsd) })) }));
const round = (n: number) => Number(n.toFixed(6));

beforeAll(async () => {
  db = await seed({ default: SESSIONS, other: SECRET });
});
afterAll(async () => db?.close());

describe('spend over time', () => {
  it('buckets sessions by the hour they started in, over the data\'s own span when no since is given', async () => {
    const ts = await spendTimeseries(db.client, scope);
    // a1 and b1's first day to c1's start a day later: ≤ 2 days, so hourly.
    expect({ by: ts.by, bucketSeconds: ts.bucketSeconds, from: ts.from, to: ts.to }).toEqual({ by: 'all', bucketSeconds: 3600, from: '2025-11-22T08:00:00.000Z', to: '2025-11-23T09:00:00.000Z' });
    expect(points(ts)).toEqual([{ key: 'all', points: [
      { t: '2025-11-22T08:00:00.000Z', sessions: 2, spendUsd: 2.5, wasteUsd: 0, preventedUsd: 0 },
      { t: '2025-11-22T10:00:00.000Z', sessions: 1, spendUsd: 0.75, wasteUsd: 0, preventedUsd: 0 },
      { t: '2025-11-23T08:00:00.000Z', sessions: 1, spendUsd: 0.4, wasteUsd: 0.3, preventedUsd: 0.2 },
    ] }]);
  });

  it('gives a bucket the $ of exactly the sessions that started in it, whatever the bucket', async () => {
    const sessions = await listSessions(db.client, scope, { limit: 100 });
    for (const bucketSeconds of [1800, 3600, 6 * 3600, 86_400, 2 * 86_400, 604_800]) {
      const ts = await spendTimeseries(db.client, scope, { bucketSeconds });
      const expected = new Map<string, { sessions: number; spendUsd: number }>();
      for (const s of sessions) {
        const t = iso(bucketStartMs(Date.parse(s.start), bucketSeconds));
        const e = expected.get(t) ?? { sessions: 0, spendUsd: 0 };
        expected.set(t, { sessions: e.sessions + 1, spendUsd: round(e.spendUsd + s.spendUsd) });
      }
      const got = new Map(ts.series[0]!.points.map((p) => [p.t, { sessions: p.sessions, spendUsd: round(p.spendUsd) }]));
      expect(got, `bucket ${bucketSeconds}s`).toEqual(expected);
      // Every bucket lies in [from, to) on the grid from + k × bucketSeconds.
      for (const t of got.keys()) {
        const offset = Date.parse(t) - Date.parse(ts.from);
        expect(offset % (bucketSeconds * 1000)).toBe(0);
        expect(Date.parse(t) < Date.parse(ts.to)).toBe(true);
      }
    }
  });

  it('starts weekly buckets on Monday', async () => {
    const ts = await spendTimeseries(db.client, scope, { bucketSeconds: 604_800 });
    expect({ from: ts.from, to: ts.to }).toEqual({ from: '2025-11-17T00:00:00.000Z', to: '2025-11-24T00:00:00.000Z' });
    expect(points(ts)[0]!.points).toEqual([{ t: '2025-11-17T00:00:00.000Z', sessions: 4, spendUsd: 3.65, wasteUsd: 0.3, preventedUsd: 0.2 }]);
  });

  it('gives one series per team, the bigger spender first', async () => {
    const ts = await spendTimeseries(db.client, scope, { by: 'team', bucketSeconds: 86_400 });
    expect(points(ts)).toEqual([
      { key: 'payments', points: [
        { t: '2025-11-22T00:00:00.000Z', sessions: 2, spendUsd: 2.5, wasteUsd: 0, preventedUsd: 0 },
        { t: '2025-11-23T00:00:00.000Z', sessions: 1, spendUsd: 0.4, wasteUsd: 0.3, preventedUsd: 0.2 },
      ] },
      { key: 'mobile', points: [{ t: '2025-11-22T00:00:00.000Z', sessions: 1, spendUsd: 0.75, wasteUsd: 0, preventedUsd: 0 }] },
    ]);
  });

  it('computes leverage per bucket with the weights given', async () => {
    const at10 = async (weights?: { linesAdded: number }) => (await spendTimeseries(db.client, { ...scope, team: 'mobile' }, { weights })).series[0]!.points[0]!;
    expect((await at10()).leverage).toBeCloseTo(4, 10);
    expect((await at10({ linesAdded: 2 })).leverage).toBeCloseTo(8, 10);
    expect((await at10()).tokens).toBe(3000);
  });

  it('spans since to until when they are given, and counts only sessions that started in it', async () => {
    const p = parseQueryParams({ since: iso(T0 + HOUR), until: iso(T0 + DAY + HOUR) });
    const ts = await spendTimeseries(db.client, p.scope, { bucketSeconds: p.bucketSeconds });
    expect({ bucketSeconds: ts.bucketSeconds, from: ts.from, to: ts.to }).toEqual({ bucketSeconds: 3600, from: '2025-11-22T09:00:00.000Z', to: '2025-11-23T10:00:00.000Z' });
    expect(points(ts)[0]!.points.map((x) => [x.t, x.sessions, x.spendUsd])).toEqual([['2025-11-22T10:00:00.000Z', 1, 0.75], ['2025-11-23T08:00:00.000Z', 1, 0.4]]);
    // A range since a date and no until runs to now: over 90 days from November 2025, weekly.
    const long = await spendTimeseries(db.client, { ...scope, since: new Date(T0 - DAY) }, { now: T0 + 100 * DAY });
    expect(long.bucketSeconds).toBe(604_800);
    expect(long.series[0]!.points.map((x) => x.spendUsd).reduce((a, b) => a + b)).toBeCloseTo(3.65, 10);
  });

  it('never shows another project\'s sessions', async () => {
    const mine = await spendTimeseries(db.client, scope, { bucketSeconds: 604_800 });
    expect(round(mine.series.flatMap((s) => s.points).reduce((a, p) => a + p.spendUsd, 0))).toBe(3.65);
    const theirs = await spendTimeseries(db.client, { project: 'other' }, { by: 'team' });
    expect(points(theirs)).toEqual([{ key: 'payments', points: [{ t: '2025-11-22T08:00:00.000Z', sessions: 1, spendUsd: 150, wasteUsd: 100, preventedUsd: 0 }] }]);
  });

  it('answers an empty scope with no series', async () => {
    const ts = await spendTimeseries(db.client, { ...scope, team: 'nobody' }, { now: T0 });
    expect(ts).toEqual({ by: 'all', bucketSeconds: 3600, from: iso(T0), to: iso(T0), series: [] });
  });

  it('refuses a bucket that would split the range into too many', async () => {
    const err = await spendTimeseries(db.client, { ...scope, since: new Date(T0 - 365 * DAY) }, { bucketSeconds: 60, now: T0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryParamError);
    expect((err as QueryParamError).param).toBe('bucket');
  });
});

describe('the bucket parameter', () => {
  it('takes the named buckets and any duration, in seconds', () => {
    const seconds = (bucket: string) => parseQueryParams({ bucket }).bucketSeconds;
    expect(['1h', '6h', '1d', '1w', '30m', '12h', '2d'].map(seconds)).toEqual([3600, 21_600, 86_400, 604_800, 1800, 43_200, 172_800]);
    expect(parseQueryParams({}).bucketSeconds).toBeUndefined();
  });
  it.each(['0h', '30s', 'hourly', '1.5h', '53w'])('refuses %s, naming the parameter', (bucket) => {
    expect(() => parseQueryParams({ bucket })).toThrow(QueryParamError);
    expect(() => parseQueryParams({ bucket })).toThrow(/^bucket must be a duration/);
  });
});
