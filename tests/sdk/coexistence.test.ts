/**
 * Fulcrum inside a harness that already uses OpenTelemetry: the host's
 * provider, context and exporter keep working, during and after Fulcrum.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { fulcrumSpanProcessors, startTracing, traceToolCall, withSession } from '../../packages/sdk/src/index.js';

const names = (spans: ReadableSpan[]): string[] => spans.map((s) => s.name).sort();
const byName = (spans: ReadableSpan[], name: string): ReadableSpan => {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`${name}: ${found.length} of ${names(spans).join(', ')}`);
  return found[0];
};
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;

/** A host harness with its own registered NodeTracerProvider (global provider, context manager, propagator). */
function registerHost(): { exporter: InMemorySpanExporter; provider: NodeTracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'host-harness' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  provider.register();
  return { exporter, provider };
}

afterEach(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('startTracing next to a host that registered its own OpenTelemetry', () => {
  it("each side gets its own spans, complete; the host still traces after Fulcrum's shutdown", async () => {
    const host = registerHost();
    const fulcrumExporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter: fulcrumExporter, batch: false, env: {}, team: 'payments', logger: false });
    const hostTracer = trace.getTracer('host');

    await hostTracer.startActiveSpan('host request', async (outer) => {
      await withSession({ sessionId: 's-coexist', agentName: 'coder' }, async () => {
        traceToolCall({ name: 'Read', id: 't1', args: { file_path: 'src/a.ts' } }, () => 'x');
        hostTracer.startSpan('host work inside').end();
      });
      outer.end();
    });
    // (An InMemorySpanExporter forgets its spans at shutdown: read them after a flush.)
    await tracing.forceFlush();
    const mine = fulcrumExporter.getFinishedSpans();
    const report = await tracing.shutdown();

    // Fulcrum: its two spans with the tool attributes; none of the host's.
    expect(names(mine)).toEqual(['execute_tool Read', 'invoke_agent coder']);
    const read = byName(mine, 'execute_tool Read');
    expect(read.attributes).toMatchObject({ 'fulcrum.file.path': 'src/a.ts', 'gen_ai.tool.call.id': 't1', 'gen_ai.conversation.id': 's-coexist' });
    expect(parentOf(read)).toBe(byName(mine, 'invoke_agent coder').spanContext().spanId);
    expect(mine.every((s) => s.resource.attributes['fulcrum.team'] === 'payments')).toBe(true);
    expect(report).toMatchObject({ exported: 2, dropped: 0, failed: 0, pending: 0, timedOut: false });

    // The host: its two spans, nested as it made them, none of Fulcrum's.
    const theirs = host.exporter.getFinishedSpans();
    expect(names(theirs)).toEqual(['host request', 'host work inside']);
    expect(parentOf(byName(theirs, 'host work inside'))).toBe(byName(theirs, 'host request').spanContext().spanId);

    // After Fulcrum's shutdown the host's provider and context manager still work.
    hostTracer.startActiveSpan('after', (a) => {
      hostTracer.startSpan('after child').end();
      a.end();
    });
    const after = host.exporter.getFinishedSpans();
    expect(parentOf(byName(after, 'after child'))).toBe(byName(after, 'after').spanContext().spanId);
    await host.provider.shutdown();
  });

  it('global: true registers Fulcrum for code with no OpenTelemetry of its own, and unregisters it at shutdown', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter, batch: false, env: {}, global: true, logger: false });
    await withSession({ sessionId: 's-global', agentName: 'coder' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      trace.getTracer('user-code').startSpan('user work').end();
    });
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    await tracing.shutdown();
    const work = byName(spans, 'user work');
    expect(work.attributes['gen_ai.conversation.id']).toBe('s-global');
    expect(parentOf(work)).toBe(byName(spans, 'invoke_agent coder').spanContext().spanId);
    // Unregistered: a span now is non-recording and exports nowhere.
    expect(trace.getTracer('user-code').startSpan('later').isRecording()).toBe(false);
  });

  it('global: true next to a registered host leaves the host registered and says so', async () => {
    const host = registerHost();
    const lines: string[] = [];
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter, batch: false, env: {}, global: true, logger: { warn: (m) => lines.push(m) } });
    withSession({ sessionId: 's-2' }, () => traceToolCall({ name: 'Bash', args: { command: 'ls' } }, () => ''));
    await tracing.forceFlush();
    expect(names(exporter.getFinishedSpans())).toEqual(['execute_tool Bash', 'invoke_agent']);
    await tracing.shutdown();
    expect(lines.some((l) => /another OpenTelemetry SDK registered its globals first/.test(l))).toBe(true);
    trace.getTracer('host').startSpan('host still').end();
    expect(names(host.exporter.getFinishedSpans())).toEqual(['host still']);
    await host.provider.shutdown();
  });
});

describe('fulcrumSpanProcessors on a provider the host owns', () => {
  it("the host's exporter sees tool attributes; Fulcrum exports session spans only, with the harness resource under the host's", async () => {
    const fulcrumExporter = new InMemorySpanExporter();
    const fulcrum = fulcrumSpanProcessors({ exporter: fulcrumExporter, batch: false, env: {}, team: 'payments', repository: 'acme/api', logger: false });
    const hostExporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'host-harness' }),
      spanProcessors: [new SimpleSpanProcessor(hostExporter), ...fulcrum.spanProcessors],
    });
    provider.register();
    const hostTracer = trace.getTracer('host');

    hostTracer.startSpan('host health check').end();
    await withSession({ sessionId: 's-host', agentName: 'coder' }, async () => {
      traceToolCall({ name: 'Edit', id: 'e1', args: { file_path: 'src/b.ts', old_string: 'a', new_string: 'a\nb\nc' } }, () => 'ok');
      hostTracer.startSpan('host http call').end();
    });
    await fulcrum.forceFlush();
    const mine = fulcrumExporter.getFinishedSpans();
    const report = await fulcrum.shutdown();

    // One span per call: the host's exporter gets the very same spans, attributes included.
    const hostSpans = hostExporter.getFinishedSpans();
    expect(names(hostSpans)).toEqual(['execute_tool Edit', 'host health check', 'host http call', 'invoke_agent coder']);
    expect(byName(hostSpans, 'execute_tool Edit').attributes).toMatchObject({ 'fulcrum.file.path': 'src/b.ts', 'fulcrum.lines.added': 2 });

    // Fulcrum: the session's spans (the host's own span inside the session included), not the health check.
    expect(names(mine)).toEqual(['execute_tool Edit', 'host http call', 'invoke_agent coder']);
    expect(byName(mine, 'host http call').attributes['gen_ai.conversation.id']).toBe('s-host');
    expect(byName(mine, 'execute_tool Edit').resource.attributes).toMatchObject({
      'service.name': 'host-harness',
      'fulcrum.team': 'payments',
      'fulcrum.repository': 'acme/api',
    });
    expect(report).toMatchObject({ exported: 3, failed: 0, dropped: 0 });
    await provider.shutdown();
  });
});
