import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startTracing, type StartTracingOptions, type TracingHandle } from '../../packages/sdk/src/index.js';

export interface Capture {
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  one(name: string): ReadableSpan;
}

/** Starts tracing into an in-memory exporter for the test file; clears it before each test. */
export function captureSpans(options: StartTracingOptions = {}): Capture {
  const exporter = new InMemorySpanExporter();
  let handle: TracingHandle;
  beforeAll(() => {
    handle = startTracing({ exporter, batch: false, env: {}, ...options });
  });
  afterAll(() => handle.shutdown());
  beforeEach(() => exporter.reset());
  const spans = () => exporter.getFinishedSpans();
  return {
    exporter,
    spans,
    one(name) {
      const found = spans().filter((s) => s.name === name);
      if (found.length !== 1) throw new Error(`expected one span named ${name}, got ${found.length}: ${spans().map((s) => s.name).join(', ')}`);
      return found[0];
    },
  };
}

export const parentId = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
export const spanId = (s: ReadableSpan): string => s.spanContext().spanId;
