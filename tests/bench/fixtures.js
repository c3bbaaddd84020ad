// Builds realistic OTLP protobuf bodies with the real OpenTelemetry SDK and serializer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

const TOOLS = ['Read', 'Grep', 'Edit', 'Bash', 'Glob', 'Write'];

/** `count` bodies of `spansPerBody` spans: sessions of a root, model calls and tool calls with GenAI attributes. */
export function buildBodies(count, spansPerBody) {
  const dir = mkdtempSync(join(tmpdir(), 'fulcrum-bench-'));
  const files = [];
  for (let b = 0; b < count; b++) {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'bench-harness', 'fulcrum.team': `team-${b % 4}`, 'fulcrum.repository': `acme/repo-${b % 7}` }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('bench', '1.0.0');
    let made = 0;
    while (made < spansPerBody) {
      const sessionId = `bench-${b}-${made}`;
      const root = tracer.startSpan('invoke_agent bench', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': sessionId } });
      const ctx = trace.setSpan(context.active(), root);
      made++;
      for (let i = 0; i < 49 && made < spansPerBody; i++, made++) {
        if (i % 3 === 0) {
          tracer.startSpan('chat claude-sonnet-4-5', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': 1000 + i, 'gen_ai.usage.output_tokens': 200 + i, 'gen_ai.usage.cache_read.input_tokens': 20000, 'gen_ai.conversation.id': sessionId } }, ctx).end();
        } else {
          const tool = TOOLS[i % TOOLS.length];
          tracer.startSpan(`execute_tool ${tool}`, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.id': `toolu_${b}_${made}`, 'gen_ai.conversation.id': sessionId, 'fulcrum.tool.args_hash': (i % 5).toString(16).padStart(16, '0'), 'fulcrum.file.path': `/repo/src/file${i % 9}.ts`, 'fulcrum.tool.result_size': 2048 + i, 'fulcrum.success': true } }, ctx).end();
        }
      }
      root.end();
    }
    const file = join(dir, `body-${b}.pb`);
    writeFileSync(file, ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans()));
    files.push(file);
  }
  return files;
}
