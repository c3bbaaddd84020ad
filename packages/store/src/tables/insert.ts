import type { ClickHouseClient } from '@clickhouse/client';
import type { Store } from '../store.js';
import { encodeRows } from './write.js';
import { SPANS, type SpanRow } from './spans.js';

/** Writes span rows in one INSERT as JSONCompactEachRow (the text path; tests compare it with RowBinary). */
export async function insertSpanRows(client: ClickHouseClient, rows: readonly SpanRow[], table = SPANS.name): Promise<void> {
  if (rows.length === 0) return;
  await client.insert({
    table,
    columns: SPANS.insertColumns as [string, ...string[]],
    values: rows.map(SPANS.encodeJson),
    format: 'JSONCompactEachRow',
  });
}

/** Rows as RowBinary in insert-column order: what the ingest path writes and spools. */
export function encodeSpanRows(rows: readonly SpanRow[]): Buffer {
  return encodeRows(SPANS, rows, 1024);
}

/** Inserts span rows already encoded by encodeSpanRows. */
export function writeEncodedSpans(store: Store, body: Buffer, table = SPANS.name): Promise<void> {
  return store.insertEncoded(table, SPANS.insertColumns, 'RowBinary', body);
}

/** The ingest fast path: rows encoded as RowBinary, which the engine parses at about twice the rate of JSON. */
export async function writeSpanRows(store: Store, rows: readonly SpanRow[], table = SPANS.name): Promise<void> {
  if (rows.length === 0) return;
  await writeEncodedSpans(store, encodeSpanRows(rows), table);
}
