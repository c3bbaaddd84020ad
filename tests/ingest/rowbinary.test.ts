import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptySpanRow, encodeSpanRows, insertSpanRows, openStore, spansTableDdl, writeEncodedSpans, type SpanRow, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir() });
  await store.client.command({ query: spansTableDdl('via_json') });
  await store.client.command({ query: spansTableDdl('via_binary') });
});
afterAll(async () => store?.close());

function row(i: number, overrides: Partial<SpanRow>): SpanRow {
  return { ...emptySpanRow(), Timestamp: String(1_763_800_000_123_456_789n + BigInt(i)), TraceId: 'ab'.repeat(16), SpanId: i.toString(16).padStart(16, '0'), SessionId: `s-${i}`, ...overrides };
}

describe('RowBinary encoding of span rows', () => {
  it('stores exactly what the JSON path stores, including non-ASCII, long strings, maps, events and 64-bit values', async () => {
    const rows = [
      row(1, { SpanName: 'execute_tool Read', SpanAttributes: { 'gen_ai.tool.name': 'Read', 'fulcrum.file.path': '/src/café/naïve.ts' }, FilePath: '/src/café/naïve.ts' }),
      row(2, { Command: 'echo ' + 'x'.repeat(300), StatusMessage: 'ошибка: файл не найден 🚫', ResourceAttributes: { 'service.name': 'agent', team: '数据平台' } }),
      row(3, { Events: [{ Timestamp: '1763800000999999999', Name: 'retry', Attributes: { attempt: '2' } }, { Timestamp: '0', Name: '', Attributes: {} }], Links: [{ TraceId: 'cd'.repeat(16), SpanId: 'ef'.repeat(8), TraceState: 'k=v', Attributes: { l: '1' } }] }),
      row(4, { InputTokens: 2 ** 40, OutputTokens: 9_007_199_254_740_991, CostUsd: 0.000123456789, Duration: 5_000_000_000, Success: false, Priced: false, FileUnchanged: true, Truncated: true, ReadOffset: 4_294_967_295, Version: 13 }),
      row(5, { Timestamp: '0', SpanName: 'x'.repeat(127), Model: 'é'.repeat(127) }),
    ];
    await insertSpanRows(store.client, rows, 'via_json');
    await writeEncodedSpans(store, encodeSpanRows(rows), 'via_binary');
    const dump = async (t: string) => (await store.client.query({ query: `SELECT * FROM ${t} ORDER BY SpanId`, format: 'JSONEachRow' })).json();
    const binary = await dump('via_binary');
    expect(binary).toEqual(await dump('via_json'));
    expect(binary).toHaveLength(5);
    expect((binary[1] as { StatusMessage: string }).StatusMessage).toBe('ошибка: файл не найден 🚫');
    expect((binary[3] as { OutputTokens: number }).OutputTokens).toBe(9_007_199_254_740_991);
  });
});
