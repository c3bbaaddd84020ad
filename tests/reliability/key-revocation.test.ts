import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkKey, createApiKey, listApiKeys, loadKeyRecords, revokeApiKey } from '@fulcrum/ingest';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

let store: Store;

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir('fulcrum-revocation-') });
});
afterAll(async () => store?.close());

describe('revocation is final whatever the clock says', () => {
  it('a key revoked while the clock reads an hour before its creation stays revoked, before and after merges', async () => {
    const { key, keyId } = await createApiKey(store.client, 'team-clock');
    // The clock steps back an hour between creating the key and revoking it (NTP correction, VM restore).
    const created = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(created - 3_600_000);
    try {
      expect(await revokeApiKey(store.client, keyId)).toBe(true);
    } finally {
      clock.mockRestore();
    }
    expect(checkKey(await loadKeyRecords(store.client), key)).toEqual({ status: 'revoked' });
    const listed = (await listApiKeys(store.client, 'team-clock')).find((k) => k.keyId === keyId)!;
    expect(listed.revokedAt).not.toBeNull();
    // A merge keeps one row per key: it must be the revocation, not the later-dated creation.
    await store.client.command({ query: 'OPTIMIZE TABLE api_keys FINAL' });
    const rows = await (await store.client.query({ query: 'SELECT isNull(RevokedAt) AS live FROM api_keys FINAL WHERE KeyId = {id:String}', query_params: { id: keyId }, format: 'JSONEachRow' })).json<{ live: number }>();
    expect(rows).toEqual([{ live: 0 }]);
    expect(checkKey(await loadKeyRecords(store.client), key)).toEqual({ status: 'revoked' });
  });

  it('another key of the same project stays valid', async () => {
    const { key } = await createApiKey(store.client, 'team-clock');
    expect(checkKey(await loadKeyRecords(store.client), key)).toMatchObject({ status: 'valid', project: 'team-clock' });
  });
});
