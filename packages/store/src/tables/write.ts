import { RowBinaryWriter } from '../schema/rowbinary-writer.js';
import type { ColumnsDef, RowOf, Table } from '../schema/table.js';
import type { Store } from '../store.js';

/** Rows of a declared table as RowBinary, in its insert-column order; `bytesPerRow` sizes the first buffer. */
export function encodeRows<C extends ColumnsDef>(table: Table<C>, rows: readonly RowOf<C>[], bytesPerRow = 256): Buffer {
  const w = new RowBinaryWriter(Math.max(1 << 12, rows.length * bytesPerRow));
  for (const r of rows) table.writeRowBinary(w, r);
  return w.bytes();
}

/** Inserts rows of a declared table in one RowBinary INSERT. */
export async function writeRows<C extends ColumnsDef>(store: Store, table: Table<C>, rows: readonly RowOf<C>[]): Promise<void> {
  if (rows.length === 0) return;
  await store.insertEncoded(table.name, table.insertColumns, 'RowBinary', encodeRows(table, rows));
}
