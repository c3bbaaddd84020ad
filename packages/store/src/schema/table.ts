import type { ColumnType } from './column-types.js';
import type { RowBinaryWriter } from './rowbinary-writer.js';

/** A plain column: its type and, where it pays, a compression codec. */
export interface ColumnDef<T = unknown> {
  readonly type: ColumnType<T>;
  readonly codec?: string;
}

/** A Nested column (stored as one array column per field, `Name.Field`); rows hold an array of objects. */
export interface NestedDef<F extends Record<string, ColumnType<any>> = Record<string, ColumnType<any>>> {
  readonly nested: F;
  readonly codec?: string;
}

export type ColumnsDef = Record<string, ColumnDef<any> | NestedDef>;

type ValueOf<C> = C extends ColumnDef<infer V> ? V : C extends NestedDef<infer F> ? { [K in keyof F]: F[K] extends ColumnType<infer V> ? V : never }[] : never;

/** The TypeScript row of a table: one field per column, named as the column. */
export type RowOf<C extends ColumnsDef> = { -readonly [K in keyof C]: ValueOf<C[K]> };

export interface TableOptions<C extends ColumnsDef> {
  name: string;
  /** Columns in table order. */
  columns: C;
  /** @example 'ReplacingMergeTree(Version)' */
  engine: string;
  orderBy: string;
  /** @default undefined (no partitioning) */
  partitionBy?: string;
  /** Skip indexes, as written after the columns: `INDEX name expr TYPE t GRANULARITY n`. @default [] */
  indexes?: readonly string[];
  /** @default undefined */
  settings?: string;
}

/**
 * One table, declared once: its DDL, insert column list, row type, empty row,
 * RowBinary writer and JSON encoder all come from the column list.
 */
export interface Table<C extends ColumnsDef> {
  readonly name: string;
  readonly columns: C;
  /** Column names as an INSERT lists them (Nested fields as `Name.Field`). */
  readonly insertColumns: readonly string[];
  /** CREATE TABLE for this declaration, under another name or engine when given (tests, benchmarks, cluster). */
  createSql(name?: string, engine?: string): string;
  emptyRow(): RowOf<C>;
  /** Appends one row as RowBinary in insertColumns order (compiled once into straight-line code). */
  writeRowBinary(w: RowBinaryWriter, row: RowOf<C>): void;
  /** One row's values in insertColumns order, for JSONCompactEachRow. */
  encodeJson(row: RowOf<C>): unknown[];
}

const isNested = (c: ColumnDef | NestedDef): c is NestedDef => 'nested' in c;
const codec = (c: { codec?: string }) => (c.codec ? ` CODEC(${c.codec})` : '');
const prop = (name: string) => `r[${JSON.stringify(name)}]`;

export function defineTable<C extends ColumnsDef>(options: TableOptions<C>): Table<C> {
  const entries = Object.entries(options.columns) as [string, ColumnDef | NestedDef][];
  const insertColumns = entries.flatMap(([name, c]) => (isNested(c) ? Object.keys(c.nested).map((f) => `${name}.${f}`) : [name]));

  const createSql = (name = options.name, engine = options.engine) => {
    const lines = entries.map(([n, c]) =>
      isNested(c)
        ? `  ${n} Nested (\n${Object.entries(c.nested).map(([f, ft]) => `    ${f} ${ft.sql}`).join(',\n')}\n  )${codec(c)}`
        : `  ${n} ${c.type.sql}${codec(c)}`,
    );
    for (const index of options.indexes ?? []) lines.push(`  ${index}`);
    return [
      `CREATE TABLE IF NOT EXISTS ${name} (\n${lines.join(',\n')}\n) ENGINE = ${engine}`,
      options.partitionBy ? `PARTITION BY ${options.partitionBy}` : '',
      `ORDER BY ${options.orderBy}`,
      options.settings ? `SETTINGS ${options.settings}` : '',
    ].filter(Boolean).join('\n');
  };

  // A Nested column is one array per field: the row's array of objects is written field by field.
  const body = entries
    .map(([n, c]) =>
      isNested(c)
        ? Object.entries(c.nested).map(([f, ft]) => `{ const a = ${prop(n)}; w.varint(a.length); for (const e of a) { ${ft.emit(`e[${JSON.stringify(f)}]`)} } }`).join('\n')
        : c.type.emit(prop(n)),
    )
    .join('\n');
  const writeRowBinary = new Function('w', 'r', body) as Table<C>['writeRowBinary'];

  const encodeJson = (row: RowOf<C>): unknown[] => {
    const r = row as Record<string, any>;
    const out: unknown[] = [];
    for (const [n, c] of entries) {
      if (isNested(c)) for (const [f, ft] of Object.entries(c.nested)) out.push((r[n] as Record<string, unknown>[]).map((e) => ft.json(e[f])));
      else out.push(c.type.json(r[n]));
    }
    return out;
  };

  const emptyRow = () => Object.fromEntries(entries.map(([n, c]) => [n, isNested(c) ? [] : c.type.empty()])) as RowOf<C>;

  return { name: options.name, columns: options.columns, insertColumns, createSql, emptyRow, writeRowBinary, encodeJson };
}

/** Shorthand for a column declaration. */
export function col<T>(type: ColumnType<T>, codecSpec?: string): ColumnDef<T> {
  return codecSpec ? { type, codec: codecSpec } : { type };
}

export function nested<F extends Record<string, ColumnType<any>>>(fields: F, codecSpec?: string): NestedDef<F> {
  return codecSpec ? { nested: fields, codec: codecSpec } : { nested: fields };
}
