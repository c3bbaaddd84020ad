import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, SPANS, emptySpanRow, migrate, openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { expectDeclared } from './schema-helpers.js';

// Its own file: libchdb binds one data directory per process, and this test reopens its own.
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('upgrading a store', () => {
  it('a store created by the previous release (migrations 1, 2, 9) migrates to the same schema with its rows intact', async () => {
    const dataDir = tempDataDir();
    const old = await openStore({ dataDir, migrate: false });
    await migrate(old.client, { migrations: MIGRATIONS.filter((m) => m.id <= 9) });
    // The previous release wrote spans with the columns it had: every declared column up to Version.
    const oldColumns = SPANS.insertColumns.slice(0, SPANS.insertColumns.indexOf('Version') + 1);
    const row = emptySpanRow();
    Object.assign(row, { Timestamp: '1763800000000000000', TraceId: 't1', SpanId: 's1', SessionId: 'old-session', SpanType: 'tool', ToolName: 'Read', FilePath: 'src/a.ts', CostUsd: 0.25, InputTokens: 1200 });
    await old.client.insert({ table: 'spans', columns: oldColumns as [string, ...string[]], values: [SPANS.encodeJson(row).slice(0, oldColumns.length)], format: 'JSONCompactEachRow' });
    await old.close();

    const store = await openStore({ dataDir });
    stores.push(store);
    await expectDeclared(store);
    const rs = await store.client.query({ query: "SELECT SessionId, SpanId, ToolName, FilePath, CostUsd, InputTokens, ToolKind, FilePaths FROM spans FINAL", format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ SessionId: 'old-session', SpanId: 's1', ToolName: 'Read', FilePath: 'src/a.ts', CostUsd: 0.25, InputTokens: 1200, ToolKind: '', FilePaths: [] }]);
    // Sessions stored before analysis existed are pending, so none is left unanalysed.
    const pending = await store.client.query({ query: 'SELECT Project, SessionId FROM session_activity FINAL', format: 'JSONEachRow' });
    expect(await pending.json()).toEqual([{ Project: 'default', SessionId: 'old-session' }]);
  });

});
