/**
 * ClickHouse column types as Fulcrum writes them: each knows its SQL type, the
 * TypeScript value a row holds, how that value is written as RowBinary (as a
 * code snippet, so a table's writer is compiled once into straight-line code)
 * and as JSON (for the text formats).
 */
export interface ColumnType<T> {
  /** The ClickHouse type, e.g. `LowCardinality(String)`. */
  readonly sql: string;
  /** JavaScript appending the value `v` (an expression) with RowBinaryWriter `w`. */
  emit(v: string): string;
  /** The value as JSONCompactEachRow takes it. */
  json(v: T): unknown;
  /** The value a new row starts with. */
  empty(): T;
  /** Phantom: the row field's TypeScript type. */
  readonly _ts?: T;
}

/** Nanoseconds since the epoch as a decimal string (beyond 2^53) → "seconds.nanoseconds" text for DateTime64(9). */
export function nanosToDateTime64(nanos: string): string {
  const s = nanos.length > 9 ? nanos : nanos.padStart(10, '0');
  // Seconds are padded to 10 digits: ClickHouse reads a shorter run ("0.000000000", any time
  // before 1973) as the start of a YYYY-MM-DD date and refuses the whole INSERT.
  const secs = s.slice(0, s.length - 9).padStart(10, '0');
  return `${secs}.${s.slice(s.length - 9)}`;
}

const same = <T>(v: T): unknown => v;

function scalar<T>(sql: string, write: string, empty: T, json: (v: T) => unknown = same): ColumnType<T> {
  return { sql, emit: (v) => `w.${write}(${v});`, json, empty: () => empty };
}

function array<T>(element: ColumnType<T>, sql = `Array(${element.sql})`): ColumnType<T[]> {
  return {
    sql,
    emit: (v) => `{ const a = ${v}; w.varint(a.length); for (const x of a) { ${element.emit('x')} } }`,
    json: (v) => v.map((x) => element.json(x)),
    empty: () => [],
  };
}

/** The column types in use. */
export const t = {
  string: scalar<string>('String', 'string', ''),
  lowString: scalar<string>('LowCardinality(String)', 'string', ''),
  /** DateTime64(9) from nanoseconds as a decimal string. */
  nanos: scalar<string>('DateTime64(9)', 'i64String', '0', nanosToDateTime64),
  /** DateTime64(3) from milliseconds since the epoch. */
  millis: scalar<number>('DateTime64(3)', 'i64', 0, (v) => (v / 1000).toFixed(3)),
  uint8: scalar<number>('UInt8', 'u8', 0),
  uint32: scalar<number>('UInt32', 'u32', 0),
  uint64: scalar<number>('UInt64', 'u64', 0),
  /** UInt64 from a decimal string (nanosecond versions exceed 2^53). */
  uint64String: scalar<string>('UInt64', 'u64String', '0'),
  float64: scalar<number>('Float64', 'f64', 0),
  bool: { sql: 'Bool', emit: (v: string) => `w.u8(${v} ? 1 : 0);`, json: same, empty: () => false } as ColumnType<boolean>,
  /** Map(LowCardinality(String), String): OpenTelemetry attributes. */
  attrs: { sql: 'Map(LowCardinality(String), String)', emit: (v: string) => `w.map(${v});`, json: same, empty: () => ({}) } as ColumnType<Record<string, string>>,
  strings: array(scalar<string>('String', 'string', '')),
  lowStrings: array(scalar<string>('LowCardinality(String)', 'string', '')),
  uint32s: array(scalar<number>('UInt32', 'u32', 0)),
  uint64s: array(scalar<number>('UInt64', 'u64', 0)),
  float64s: array(scalar<number>('Float64', 'f64', 0)),
  bools: array({ sql: 'Bool', emit: (v: string) => `w.u8(${v} ? 1 : 0);`, json: same, empty: () => false } as ColumnType<boolean>),
  /** Array(DateTime64(9)) from nanosecond strings. */
  nanosArray: array(scalar<string>('DateTime64(9)', 'i64String', '0', nanosToDateTime64)),
  /** Nullable(DateTime64(3)) from milliseconds, null for none. */
  nullableMillis: {
    sql: 'Nullable(DateTime64(3))',
    emit: (v: string) => `if (${v} === null) w.u8(1); else { w.u8(0); w.i64(${v}); }`,
    json: (v: number | null) => (v === null ? null : (v / 1000).toFixed(3)),
    empty: () => null,
  } as ColumnType<number | null>,
  /** Nullable(UInt32): a figure that is not due yet is NULL, not 0. */
  nullableUint32: {
    sql: 'Nullable(UInt32)',
    emit: (v: string) => `if (${v} === null) w.u8(1); else { w.u8(0); w.u32(${v}); }`,
    json: same,
    empty: () => null,
  } as ColumnType<number | null>,
} as const;
