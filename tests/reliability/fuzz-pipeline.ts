import { expect } from 'vitest';
import fc from 'fast-check';
import {
  JoinCache, OtlpJsonError, ProtobufDecodeError, decodeLogsJson, decodeLogsProtobuf, decodeMetricsJson, decodeMetricsProtobuf,
  decodeTracesJson, decodeTracesProtobuf, normaliseLogs, normaliseMetrics, normaliseTraces, sanitiseMetricRows, finishRows,
} from '@fulcrum/ingest';
import { redact } from '@fulcrum/vocab';
import { encodeSpanRows, type SessionMetricRow, type SpanRow } from '@fulcrum/store';
import type { Signal } from './fuzz-inputs.js';

const PB = { traces: decodeTracesProtobuf, logs: decodeLogsProtobuf, metrics: decodeMetricsProtobuf } as const;
const JS = { traces: decodeTracesJson, logs: decodeLogsJson, metrics: decodeMetricsJson } as const;

/** Inputs each decoder was given in this run ("traces/protobuf" → n), for the case counts the fuzz run reports. */
export const casesPerDecoder = new Map<string, number>();

/** Decodes like the route does; undefined when the decoder refused with its typed error (a 400). */
export function decode(signal: Signal, type: string, bytes: Uint8Array): unknown[] | undefined {
  const decoder = `${signal}/${type === 'application/x-protobuf' ? 'protobuf' : 'json'}`;
  casesPerDecoder.set(decoder, (casesPerDecoder.get(decoder) ?? 0) + 1);
  try {
    if (type === 'application/x-protobuf') return PB[signal](bytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      return undefined; // the route answers 400 for unparsable JSON
    }
    return JS[signal](parsed);
  } catch (err) {
    // Any other error type is a crash the route would have to guess about.
    if (err instanceof ProtobufDecodeError || err instanceof OtlpJsonError) return undefined;
    throw err;
  }
}

const NANOS = /^\d{1,19}$/;
const MAX_NANOS = 9_223_372_036_854_775_807n;

/** What the INSERT needs to parse a span row; one bad value fails a whole coalesced batch. */
export function expectStorable(r: SpanRow): void {
  for (const t of [r.Timestamp, ...r.Events.map((e) => e.Timestamp)]) {
    expect(t).toMatch(NANOS);
    expect(BigInt(t) <= MAX_NANOS).toBe(true);
  }
  for (const n of [r.Duration, r.InputTokens, r.OutputTokens, r.CacheReadTokens, r.CacheWriteTokens, r.ResultSize, r.InputSize, r.Version]) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
  for (const n of [r.ReadOffset, r.ReadLimit, r.LinesAdded, r.LinesRemoved]) expect(Number.isInteger(n) && n >= 0 && n <= 0xffffffff).toBe(true);
  expect(Number.isFinite(r.CostUsd) && r.CostUsd >= 0).toBe(true);
}

export function expectStorableMetric(r: SessionMetricRow): void {
  for (const t of [r.StartTime, r.Time, r.Version]) expect(t).toMatch(NANOS);
  expect(Number.isFinite(r.Value)).toBe(true);
}

/** Decoded request → rows exactly as the routes build them, checked storable. Returns the row count. */
export function normaliseAll(signal: Signal, decoded: unknown[]): number {
  const ctx = { project: 'fuzz', redact, join: new JoinCache() };
  if (signal === 'metrics') {
    const { rows } = normaliseMetrics(decoded as Parameters<typeof normaliseMetrics>[0], 'fuzz');
    sanitiseMetricRows(rows, { redact });
    rows.forEach(expectStorableMetric);
    return rows.length;
  }
  const batch = signal === 'traces' ? normaliseTraces(decoded as Parameters<typeof normaliseTraces>[0], ctx) : normaliseLogs(decoded as Parameters<typeof normaliseLogs>[0], ctx, ctx.join);
  finishRows(batch.rows, { redact });
  batch.rows.forEach(expectStorable);
  encodeSpanRows(batch.rows);
  return batch.rows.length;
}

/** Attribute values clients really send wrong: numbers as text, overflow, JSON fragments, control bytes. */
export const hostileString = fc.oneof(
  fc.constantFrom('1e400', '-1', 'NaN', 'Infinity', '', '{}', 'null', '{"a":', '[[[[', '99999999999999999999999', '-99999999999999999999', '1.5', '0x10', '\u0000\u0001', 'true'),
  fc.string({ maxLength: 40 }),
  fc.integer().map(String),
  fc.double().map(String),
);

/** An OTLP/JSON AnyValue, well-formed or not. */
export const hostileAnyValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString.map((s) => ({ stringValue: s })),
  fc.oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), fc.double(), fc.constant('x')).map((v) => ({ intValue: v })),
  fc.oneof(fc.double(), fc.constant('NaN')).map((v) => ({ doubleValue: v })),
  fc.constant({ boolValue: 'yes' }),
  fc.constant({}),
  fc.constant(null),
  fc.constant({ arrayValue: { values: [{ stringValue: 'a' }, { kvlistValue: { values: [{ key: 'k', value: { intValue: 1 } }] } }] } }),
  fc.constant({ string_value: 'snake' }),
);
