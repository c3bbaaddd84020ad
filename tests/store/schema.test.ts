import { afterAll, describe, expect, it } from 'vitest';
import { SPANS, emptySpanRow, openStore, writeRows, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { columnsOf, expectDeclared } from './schema-helpers.js';

const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('one schema declaration per table', () => {
  it('migrating an empty store gives the declared schema', async () => {
    const store = await openStore({ dataDir: tempDataDir() });
    stores.push(store);
    expect((await columnsOf(store, 'spans')).map((c) => c.name)).toEqual(SPANS.insertColumns);
    await expectDeclared(store);
  });

  it('every INSERT into spans marks its session in session_activity, and the RowBinary writer round-trips the new columns', async () => {
    const store = stores[0]!;
    const row = emptySpanRow();
    Object.assign(row, { Timestamp: '1763800000000000000', SpanId: 'x', SessionId: 'fresh', Project: 'p2', ToolKind: 'edit', FilePaths: ['src/a.ts', 'src/b.ts'], EditOldHash: 'aa', EditNewHash: 'bb', InputSize: 77 });
    await writeRows(store, SPANS, [row]);
    const rs = await store.client.query({ query: "SELECT ToolKind, FilePaths, EditOldHash, EditNewHash, InputSize FROM spans_trace WHERE Project = 'p2'", format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ ToolKind: 'edit', FilePaths: ['src/a.ts', 'src/b.ts'], EditOldHash: 'aa', EditNewHash: 'bb', InputSize: 77 }]);
    const act = await store.client.query({ query: "SELECT SessionId FROM session_activity FINAL WHERE Project = 'p2'", format: 'JSONEachRow' });
    expect(await act.json()).toEqual([{ SessionId: 'fresh' }]);
  });
});
