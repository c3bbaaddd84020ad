/*
 * Why an INSERT failed decides what a spool may do with the batch: wait for a
 * store that is down, or give up on bytes the store will never take. Giving up
 * loses data, so only errors that the store raised while reading *this*
 * batch's bytes count as refusals; anything else (refused connections,
 * timeouts, a full disk, too many parts, memory limits, unknown shapes) is an
 * outage, and the batch waits.
 */

/** ClickHouse exception types that mean "these bytes do not parse as rows of this table". */
const DATA_ERROR_TYPES = new Set([
  'ATTEMPT_TO_READ_AFTER_EOF',
  'CANNOT_READ_ALL_DATA',
  'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  'INCORRECT_DATA',
  'INCORRECT_NUMBER_OF_COLUMNS',
  'SIZES_OF_ARRAYS_DONT_MATCH',
  'SIZES_OF_NESTED_COLUMNS_ARE_INCONSISTENT',
  'TOO_LARGE_ARRAY_SIZE',
  'TOO_LARGE_STRING_SIZE',
  'UNKNOWN_ELEMENT_IN_ENUM',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
]);

/**
 * True when the store answered and refused the data itself (a `ClickHouseError`
 * from @clickhouse/client or chDB, with a numeric code and a parse/data type).
 */
export function isDataRefusal(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, type } = err as { code?: unknown; type?: unknown };
  if (typeof code !== 'string' || !/^\d+$/.test(code) || typeof type !== 'string') return false;
  if (DATA_ERROR_TYPES.has(type) || type.startsWith('CANNOT_PARSE_')) return true;
  // One type, two causes: rows spread over more partitions than one INSERT may touch (this batch's
  // fault, forever), or merges lagging behind inserts (the store's, for a while). Only the first is a refusal.
  return type === 'TOO_MANY_PARTS' && err.message.startsWith('Too many partitions for single INSERT block');
}
