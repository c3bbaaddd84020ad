import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSessionPage, parseQueryParams, QueryParamError, SESSION_SORTS, type SessionOrder, type SessionSort } from '@fulcrum/query';
import { llm, type SessionSpec } from './fixtures.js';
import { seed, type Seeded } from './seed.js';

const MIN = 60_000;
/** A session of one model call, `i` minutes after T0. */
const one = (session: string, i: number, costUsd: number, tokens: number, team = 'payments'): SessionSpec => ({ session, team, offsetMs: i * MIN, spans: [llm('m1', 1000, costUsd, tokens)] });
const SESSIONS = [
  one('s-a', 0, 3, 100),
  one('s-b', 1, 1, 5000),
  one('s-c', 2, 2, 300),
  one('s-d', 3, 2, 300),
  one('s-e', 4, 0, 50),
  one('s-f', 60, 0.5, 800),
  one('s-g', 5, 5, 10, 'mobile'),
];

let db: Seeded;
const scope = { project: 'default' };
const ids = async (sort: SessionSort, order: SessionOrder, limit = 100, offset = 0) => {
  const page = await listSessionPage(db.client, scope, { sort, order, limit, offset });
  return { ids: page.sessions.map((s) => s.sessionId), total: page.total };
};

beforeAll(async () => {
  db = await seed({ default: SESSIONS, other: [one('s-secret', 0, 9, 9)] });
});
afterAll(async () => db?.close());

describe('session pages', () => {
  it('sorts by spend, tokens and start either way, ties broken by session id', async () => {
    expect((await ids('spend', 'desc')).ids).toEqual(['s-g', 's-a', 's-c', 's-d', 's-b', 's-f', 's-e']);
    expect((await ids('spend', 'asc')).ids).toEqual(['s-e', 's-f', 's-b', 's-c', 's-d', 's-a', 's-g']);
    expect((await ids('tokens', 'desc')).ids).toEqual(['s-b', 's-f', 's-c', 's-d', 's-a', 's-e', 's-g']);
    expect((await ids('tokens', 'asc')).ids).toEqual(['s-g', 's-e', 's-a', 's-c', 's-d', 's-f', 's-b']);
    expect((await ids('start', 'asc')).ids).toEqual(['s-a', 's-b', 's-c', 's-d', 's-e', 's-g', 's-f']);
    // The default stays newest first.
    expect((await listSessionPage(db.client, scope)).sessions.map((s) => s.sessionId)).toEqual(['s-f', 's-g', 's-e', 's-d', 's-c', 's-b', 's-a']);
  });

  it('puts a session with no spend (no leverage) last whichever way leverage is sorted', async () => {
    expect((await ids('leverage', 'desc')).ids.at(-1)).toBe('s-e');
    expect((await ids('leverage', 'asc')).ids.at(-1)).toBe('s-e');
  });

  it('cuts every sort into pages that are disjoint, complete and in order, each with the whole count', async () => {
    for (const sort of Object.keys(SESSION_SORTS) as SessionSort[]) {
      for (const order of ['desc', 'asc'] as const) {
        const all = await ids(sort, order);
        const pages = [await ids(sort, order, 3, 0), await ids(sort, order, 3, 3), await ids(sort, order, 3, 6)];
        expect(pages.map((p) => p.ids.length), `${sort} ${order}`).toEqual([3, 3, 1]);
        expect(pages.flatMap((p) => p.ids), `${sort} ${order}`).toEqual(all.ids);
        expect(new Set(pages.flatMap((p) => p.ids)).size).toBe(7);
        expect(pages.map((p) => p.total)).toEqual([7, 7, 7]);
      }
    }
  });

  it('answers a page past the end with no sessions and the count in scope', async () => {
    expect(await ids('spend', 'desc', 10, 100)).toEqual({ ids: [], total: 7 });
    const team = await listSessionPage(db.client, { ...scope, team: 'payments' }, { sort: 'spend', limit: 2, offset: 5 });
    expect({ ids: team.sessions.map((s) => s.sessionId), total: team.total }).toEqual({ ids: ['s-e'], total: 6 });
  });

  it('never lists another project\'s sessions', async () => {
    expect((await ids('spend', 'desc')).ids).not.toContain('s-secret');
    const theirs = await listSessionPage(db.client, { project: 'other' }, { sort: 'spend', offset: 0 });
    expect({ ids: theirs.sessions.map((s) => s.sessionId), total: theirs.total }).toEqual({ ids: ['s-secret'], total: 1 });
  });
});

describe('paging parameters', () => {
  it('parses offset, order and the tokens sort', () => {
    expect(parseQueryParams({ offset: '20', order: 'asc', sort: 'tokens' })).toMatchObject({ offset: 20, order: 'asc', sort: 'tokens' });
    expect(parseQueryParams({ offset: 0 }).offset).toBe(0);
    expect(parseQueryParams({}).offset).toBeUndefined();
  });
  it.each(['-1', '1.5', '1000001', 'ten'])('refuses offset %s', (offset) => {
    expect(() => parseQueryParams({ offset })).toThrow(/^offset must be an integer from 0 to 1000000/);
  });
  it('refuses an unknown order, listing the ones it takes', () => {
    const err = (() => { try { parseQueryParams({ order: 'up' }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(QueryParamError);
    expect(err).toMatchObject({ param: 'order', withoutValue: 'order must be one of desc, asc', extra: { allowed: ['desc', 'asc'] } });
  });
});
