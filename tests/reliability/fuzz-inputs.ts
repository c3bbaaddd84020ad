import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/** Real harness payloads (see the fixtures README): every OTLP body one of three CLIs really sent. */
import { FIXTURES } from '../helpers/fixtures.js';

export { FIXTURES };
export type Signal = 'traces' | 'logs' | 'metrics';
export interface Body {
  signal: Signal;
  type: 'application/x-protobuf' | 'application/json';
  bytes: Buffer;
  name: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every real request body, protobuf and JSON (not the .meta/.decoded renderings). */
export function fixtureBodies(): Body[] {
  return walk(FIXTURES)
    .filter((f) => /\/otlp\/\d+-(traces|logs|metrics)\.(pb|json)$/.test(f))
    .map((f) => ({
      signal: /-(traces|logs|metrics)\./.exec(f)![1] as Signal,
      type: f.endsWith('.pb') ? 'application/x-protobuf' : 'application/json',
      bytes: readFileSync(f),
      name: f.slice(FIXTURES.length + 1),
    }));
}

/** Protobuf trace bodies as the OpenTelemetry JS SDK encodes them (its own serializer). */
export function sdkTraceBodies(): Buffer[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fuzz', 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('fuzz', '1.0.0');
  for (let i = 0; i < 5; i++) {
    const root = tracer.startSpan(`invoke_agent ${i}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': `s-${i}`, nested: [1, 2, 3] } });
    root.addEvent('evt', { k: 'v', n: 3.5, b: true });
    root.setStatus({ code: 2, message: 'boom' });
    root.end();
  }
  const spans = exporter.getFinishedSpans();
  return [Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!), Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.slice(0, 1))!)];
}

/** Damage of the kinds a flaky network or a buggy client produces: bit flips, truncation, spliced garbage. */
export function mutated(base: Buffer): fc.Arbitrary<Buffer> {
  const n = base.length;
  const flips = fc.array(fc.tuple(fc.nat(n - 1), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map((fs) => {
    const b = Buffer.from(base);
    for (const [at, bit] of fs) b[at]! ^= 1 << bit;
    return b;
  });
  const truncated = fc.nat(n - 1).map((at) => base.subarray(0, at));
  const spliced = fc.tuple(fc.nat(n), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, junk]) => Buffer.concat([base.subarray(0, at), junk, base.subarray(at)]));
  const bytes = fc.tuple(fc.nat(n - 1), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
    const b = Buffer.from(base);
    b[at] = v;
    return b;
  });
  return fc.oneof(flips, truncated, spliced, bytes);
}

/** A protobuf length-delimited field. */
export function ld(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

export function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A traces request with one span whose attribute value is an array nested `depth` levels deep. */
export function deeplyNestedTraces(depth: number): Buffer {
  let value = ld(1, Buffer.from('leaf')); // AnyValue{string_value}
  for (let i = 0; i < depth; i++) value = ld(5, ld(1, value)); // AnyValue{array_value{values[0]}}
  const kv = Buffer.concat([ld(1, Buffer.from('deep')), ld(2, value)]);
  const span = Buffer.concat([ld(1, Buffer.alloc(16, 1)), ld(2, Buffer.alloc(8, 2)), ld(5, Buffer.from('s')), ld(9, kv)]);
  return ld(1, ld(2, ld(2, span)));
}
