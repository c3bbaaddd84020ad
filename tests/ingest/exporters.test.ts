import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startServer, type RunningServer } from '@fulcrum/server';
import { tempDataDir } from '../helpers/store.js';

let server: RunningServer;
let spans: ReadableSpan[];

const T0 = 1_763_800_000; // seconds

/** One scripted agent turn: a session root, a model call and a tool call, with fixed times. */
function recordSession(tracer: Tracer): void {
  const root = tracer.startSpan('invoke_agent fixer', { startTime: [T0, 0], attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'fixer', 'gen_ai.conversation.id': 'sess-1' } });
  const llm = tracer.startSpan('chat claude-sonnet-4-5', {
    startTime: [T0, 1_000_000],
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 11700, 'gen_ai.usage.output_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 10000,
      'gen_ai.usage.cache_creation.input_tokens': 500, 'gen_ai.conversation.id': 'sess-1',
    },
  }, withParent(root));
  llm.end([T0 + 2, 500_000_000]);
  const tool = tracer.startSpan('execute_tool Read', {
    startTime: [T0 + 3, 0],
    attributes: {
      'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Read', 'gen_ai.tool.call.id': 'toolu_1',
      'gen_ai.tool.call.arguments': JSON.stringify({ file_path: '/repo/src/app.ts', offset: 10, limit: 40 }), 'gen_ai.conversation.id': 'sess-1',
    },
  }, withParent(root));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'ENOENT' });
  tool.setAttribute('error.type', 'FileNotFound');
  tool.addEvent('retry', { attempt: 2 }, [T0 + 3, 100]);
  tool.end([T0 + 3, 250_000_000]);
  root.end([T0 + 5, 0]);
}

function withParent(span: ReturnType<Tracer['startSpan']>) {
  return trace.setSpan(context.active(), span);
}

function exportWith(exporter: SpanExporter): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function rowsFor(project: string) {
  const rs = await server.app.store.client.query({
    query: `SELECT * EXCEPT (Version) FROM spans FINAL WHERE Project = {project:String} ORDER BY Timestamp, SpanId`,
    query_params: { project },
    format: 'JSONEachRow',
  });
  return rs.json<Record<string, unknown>>();
}

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'my-harness', 'fulcrum.team': 'payments', 'fulcrum.repository': 'acme/api' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  recordSession(provider.getTracer('test', '1.0.0'));
  spans = memory.getFinishedSpans();
});

afterAll(async () => server?.close());

describe('real OpenTelemetry exporters → /v1/traces', () => {
  it('stores every span from the OTLP/JSON exporter, typed field by field', async () => {
    const result = await exportWith(new JsonExporter({ url: `${server.url}/v1/traces` }));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const rows = await rowsFor('default');
    expect(rows).toHaveLength(3);
    const [root, llm, tool] = rows as any[];
    expect(root).toMatchObject({ SpanName: 'invoke_agent fixer', SpanType: 'session', SessionId: 'sess-1', AgentName: 'fixer', ParentSpanId: '', Team: 'payments', Repository: 'acme/api', Harness: 'my-harness', ServiceName: 'my-harness', Duration: 5_000_000_000, ScopeName: 'test', ScopeVersion: '1.0.0' });
    expect(root.Timestamp).toBe('2025-11-22 08:26:40.000000000');
    expect(llm).toMatchObject({ SpanType: 'llm', Model: 'claude-sonnet-4-5', InputTokens: 1200, OutputTokens: 300, CacheReadTokens: 10000, CacheWriteTokens: 500, Priced: true, ParentSpanId: root.SpanId, TraceId: root.TraceId, SpanKind: 'Internal', Success: true });
    // claude-sonnet-4-5 at $3 in, $15 out, $0.30 cache read, $3.75 cache write per million tokens
    expect(llm.CostUsd).toBeCloseTo((1200 * 3 + 300 * 15 + 10000 * 0.3 + 500 * 3.75) / 1e6, 9);
    expect(tool).toMatchObject({ SpanType: 'tool', ToolName: 'Read', ToolCallId: 'toolu_1', FilePath: '/repo/src/app.ts', ReadOffset: 10, ReadLimit: 40, Success: false, ErrorType: 'FileNotFound', StatusCode: 'Error', StatusMessage: 'ENOENT' });
    expect(tool.ArgsHash).toMatch(/^[0-9a-f]{16}$/);
    expect(tool['Events.Name']).toEqual(['retry']);
    expect(tool['Events.Attributes']).toEqual([{ attempt: '2' }]);
    expect(tool.SpanAttributes['gen_ai.tool.name']).toBe('Read');
    expect(tool.ResourceAttributes['fulcrum.team']).toBe('payments');
  });

  it('stores identical rows from the protobuf exporter, and a re-send changes nothing', async () => {
    const before = await rowsFor('default');
    const result = await exportWith(new ProtoExporter({ url: `${server.url}/v1/traces` }));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(await rowsFor('default')).toEqual(before);
    const sums = await server.app.store.client.query({ query: 'SELECT count() AS n, sum(InputTokens) AS tokens FROM spans FINAL', format: 'JSONEachRow' });
    expect(await sums.json()).toEqual([{ n: 3, tokens: 1200 }]);
  });
});
