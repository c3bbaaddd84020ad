import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OtlpJsonError, ProtobufDecodeError, decodeTracesJson, decodeTracesProtobuf, sanitiseRows, normaliseTraces } from '@fulcrum/ingest';
import { deeplyNestedTraces, fixtureBodies, ld, mutated, sdkTraceBodies, varint, type Signal } from './fuzz-inputs.js';
import { casesPerDecoder, decode, hostileAnyValue, normaliseAll } from './fuzz-pipeline.js';

// Seeded so a failure reproduces. The CI size (300) keeps the file well under a minute on 2 shared
// cores; `npm run fuzz` is the nightly size (FULCRUM_FUZZ_RUNS=100000: at least 100 000 cases per decoder).
const SIZE = Number(process.env.FULCRUM_FUZZ_RUNS) || 300;
const RUNS = { numRuns: SIZE, seed: Number(process.env.FULCRUM_FUZZ_SEED) || 7 };
const CHUNK = 5_000;

/**
 * fc.assert in chunks of at most 5,000 runs (each its own seed), yielding between them: one
 * synchronous run of 100,000 cases starves the worker's event loop past vitest's RPC timeout.
 */
async function check<T>(property: fc.IProperty<T>, options: { numRuns: number; seed: number } = RUNS): Promise<void> {
  for (let done = 0, chunk = 0; done < options.numRuns; done += CHUNK, chunk++) {
    fc.assert(property, { numRuns: Math.min(CHUNK, options.numRuns - done), seed: options.seed + chunk });
    await new Promise((resolve) => setImmediate(resolve));
  }
}
const SIGNALS: Signal[] = ['traces', 'logs', 'metrics'];
const PB = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const bodies = fixtureBodies();
const sdkBodies = sdkTraceBodies();

afterAll(() => {
  // Every decoder got at least the run size, so the reported count is a floor per decoder, not a total.
  const counts = [...casesPerDecoder].sort(([a], [b]) => a.localeCompare(b));
  process.stdout.write(`fuzz cases per decoder (run size ${SIZE}, seed ${RUNS.seed}):\n${counts.map(([d, n]) => `  ${d.padEnd(18)} ${n}`).join('\n')}\n`);
  expect(counts.map(([d]) => d)).toEqual(['logs/json', 'logs/protobuf', 'metrics/json', 'metrics/protobuf', 'traces/json', 'traces/protobuf']);
  for (const [, n] of counts) expect(n).toBeGreaterThanOrEqual(SIZE);
});

describe('protobuf decoders never crash on damaged bytes', () => {
  it.each(SIGNALS)('random bytes as %s: decoded and normalised, or refused with ProtobufDecodeError', async (signal) => {
    await check(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const decoded = decode(signal, PB, bytes);
      if (decoded) normaliseAll(signal, decoded);
    }));
  });

  it('bit flips, truncation and spliced garbage in real harness .pb bodies and SDK-encoded traces', async () => {
    const pbs = [...bodies.filter((b) => b.type === PB), ...sdkBodies.map((bytes) => ({ signal: 'traces' as Signal, type: PB, bytes, name: 'sdk' }))];
    expect(pbs.length).toBeGreaterThanOrEqual(6);
    // The undamaged bodies decode to rows: the mutations start from data that exercises the normalisers.
    for (const b of pbs) expect(decode(b.signal, b.type, b.bytes)!.length).toBeGreaterThan(0);
    await check(fc.property(fc.constantFrom(...pbs).chain((b) => mutated(b.bytes).map((bytes) => ({ ...b, bytes }))), (b) => {
      const decoded = decode(b.signal, b.type, b.bytes);
      if (decoded) normaliseAll(b.signal, decoded);
    }), { ...RUNS, numRuns: Math.max(500, SIZE) });
  });

  it('an attribute nested 20 000 arrays deep is refused with ProtobufDecodeError, quickly, not a stack overflow', () => {
    const body = deeplyNestedTraces(20_000);
    const t0 = performance.now();
    expect(() => decodeTracesProtobuf(body)).toThrow(ProtobufDecodeError);
    expect(performance.now() - t0).toBeLessThan(2000);
    // Shallow nesting still decodes: the limit is not a blanket refusal.
    expect(decodeTracesProtobuf(deeplyNestedTraces(5))[0]!.scopeSpans[0]!.spans[0]!.attributes.deep).toBe('[[[[["leaf"]]]]]');
  });

  it('unknown fields of every wire type are skipped without changing the span', () => {
    const span = (extra: Buffer) => ld(1, ld(2, ld(2, Buffer.concat([ld(1, Buffer.alloc(16, 1)), extra, ld(2, Buffer.alloc(8, 2)), ld(5, Buffer.from('s'))]))));
    const unknown = Buffer.concat([varint((99 << 3) | 0), varint(300), varint((98 << 3) | 1), Buffer.alloc(8, 7), ld(97, Buffer.from('zz')), varint((96 << 3) | 5), Buffer.alloc(4, 9)]);
    expect(decodeTracesProtobuf(span(unknown))).toEqual(decodeTracesProtobuf(span(Buffer.alloc(0))));
  });

  it('100 000 attributes on one span decode in under 3 s and are capped at 128, noted as Truncated', () => {
    const kvs = Buffer.concat(Array.from({ length: 100_000 }, (_, i) => ld(9, Buffer.concat([ld(1, Buffer.from(`k${i}`)), ld(2, ld(1, Buffer.from('v')))]))));
    const body = ld(1, ld(2, ld(2, Buffer.concat([ld(1, Buffer.alloc(16, 1)), ld(2, Buffer.alloc(8, 2)), kvs]))));
    const t0 = performance.now();
    const batch = normaliseTraces(decodeTracesProtobuf(body), { project: 'p' });
    sanitiseRows(batch.rows, {});
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(Object.keys(batch.rows[0]!.SpanAttributes)).toHaveLength(128);
    expect(batch.rows[0]!.Truncated).toBe(true);
  });
});

/** Collects every {key, value} attribute object in a parsed OTLP/JSON body. */
function attributeSlots(v: unknown, out: { value: unknown }[] = []): { value: unknown }[] {
  if (Array.isArray(v)) v.forEach((x) => attributeSlots(x, out));
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.key === 'string' && 'value' in o) out.push(o as { value: unknown });
    Object.values(o).forEach((x) => attributeSlots(x, out));
  }
  return out;
}

describe('JSON decoders never crash on hostile JSON', () => {
  it.each(SIGNALS)('any JSON value as %s: decoded and normalised, or refused with OtlpJsonError', async (signal) => {
    await check(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      const decoded = decode(signal, JSON_TYPE, Buffer.from(JSON.stringify(v) ?? 'null'));
      if (decoded) normaliseAll(signal, decoded);
    }));
  });

  it('byte damage in real harness JSON bodies', async () => {
    const jsons = bodies.filter((b) => b.type === JSON_TYPE);
    expect(jsons.length).toBeGreaterThanOrEqual(15);
    await check(fc.property(fc.constantFrom(...jsons).chain((b) => mutated(b.bytes).map((bytes) => ({ ...b, bytes }))), (b) => {
      const decoded = decode(b.signal, b.type, b.bytes);
      if (decoded) normaliseAll(b.signal, decoded);
    }));
  });

  it('hostile attribute values in real harness bodies reach every harness normaliser and still give storable rows', async () => {
    const jsons = bodies.filter((b) => b.type === JSON_TYPE);
    let rows = 0;
    await check(fc.property(fc.constantFrom(...jsons), fc.array(fc.tuple(fc.nat(), hostileAnyValue), { minLength: 1, maxLength: 20 }), (b, edits) => {
      const parsed = JSON.parse(b.bytes.toString('utf8'));
      const slots = attributeSlots(parsed);
      for (const [i, value] of edits) slots[i % slots.length]!.value = value;
      const decoded = decode(b.signal, b.type, Buffer.from(JSON.stringify(parsed)));
      if (decoded) rows += normaliseAll(b.signal, decoded);
    }));
    expect(rows).toBeGreaterThan(0); // most edits leave the body valid, so rows really were built and checked
  });

  it('an attribute nested 5 000 levels deep is refused with OtlpJsonError', () => {
    let value = '{"stringValue":"leaf"}';
    for (let i = 0; i < 5000; i++) value = `{"arrayValue":{"values":[${value}]}}`;
    const text = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${'1'.repeat(32)}","spanId":"${'2'.repeat(16)}","attributes":[{"key":"deep","value":${value}}]}]}]}]}`;
    expect(() => decodeTracesJson(JSON.parse(text))).toThrow(OtlpJsonError);
  });
});

/** One span, rendered the way different clients render OTLP/JSON. */
const spanModel = fc.record({
  traceId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  spanId: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  name: fc.string({ maxLength: 20 }),
  kind: fc.integer({ min: 0, max: 5 }),
  status: fc.integer({ min: 0, max: 2 }),
  start: fc.bigInt({ min: 0n, max: 2n ** 62n }),
  attrs: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), fc.oneof(fc.string({ maxLength: 10 }), fc.integer())),
});
const style = fc.record({ snake: fc.boolean(), enumNames: fc.boolean(), base64: fc.boolean(), int64AsNumber: fc.boolean(), unknown: fc.boolean() });
const KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUSES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

type SpanModel = typeof spanModel extends fc.Arbitrary<infer T> ? T : never;
type Style = typeof style extends fc.Arbitrary<infer T> ? T : never;

function render(m: SpanModel, s: Style): unknown {
  const k = (camel: string, snake: string) => (s.snake ? snake : camel);
  const id = (b: Uint8Array) => Buffer.from(b).toString(s.base64 ? 'base64' : 'hex');
  // A JSON number holds int64 exactly only up to 2^53; clients that send numbers send small ones.
  const int64 = (n: bigint) => (s.int64AsNumber && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n));
  const attrs = Object.entries(m.attrs).map(([key, v]) => ({ key, value: typeof v === 'string' ? { [k('stringValue', 'string_value')]: v } : { [k('intValue', 'int_value')]: int64(BigInt(v)) } }));
  const span: Record<string, unknown> = {
    [k('traceId', 'trace_id')]: id(m.traceId), [k('spanId', 'span_id')]: id(m.spanId), name: m.name,
    kind: s.enumNames ? KINDS[m.kind] : m.kind, [k('startTimeUnixNano', 'start_time_unix_nano')]: int64(m.start),
    attributes: attrs, status: { code: s.enumNames ? STATUSES[m.status] : m.status },
    ...(s.unknown ? { droppedAttributesCount: 3, flags: 257, futureField: { a: [1, 2] } } : {}),
  };
  return { [k('resourceSpans', 'resource_spans')]: [{ resource: { attributes: [] }, [k('scopeSpans', 'scope_spans')]: [{ scope: { name: 'x' }, spans: [span], ...(s.unknown ? { schemaUrl: 'u' } : {}) }] }] };
}

describe('JSON quirks clients really send decode the same as canonical OTLP/JSON', () => {
  it('snake_case keys, enum names, base64 ids, int64 as numbers, unknown fields', async () => {
    const canonical = { snake: false, enumNames: false, base64: false, int64AsNumber: false, unknown: false };
    await check(fc.property(spanModel, style, (m, s) => {
      const got = decodeTracesJson(render(m, s));
      expect(got).toEqual(decodeTracesJson(render(m, canonical)));
      const span = got[0]!.scopeSpans[0]!.spans[0]!;
      expect(span.traceId).toBe(Buffer.from(m.traceId).toString('hex'));
      expect(span.startTimeUnixNano).toBe(String(m.start));
      expect(span.kind).toBe(m.kind);
    }));
  });
});
