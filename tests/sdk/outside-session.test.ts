/** A wrapper call outside withSession becomes a one-call session at ingest: the SDK says so, once. */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { startTracing, traceModelCall, traceToolCall, withSession } from '../../packages/sdk/src/index.js';

it('warns once, naming the first call outside a session; calls inside a session never warn', async () => {
  const lines: string[] = [];
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ exporter, batch: false, env: {}, logger: { warn: (m: string) => lines.push(m) } });
  withSession({ sessionId: 's' }, () => traceToolCall({ name: 'Read', args: { file_path: 'a' } }, () => 'x'));
  expect(lines).toEqual([]);
  traceToolCall({ name: 'Grep', args: { pattern: 'x' } }, () => '');
  traceModelCall({ provider: 'anthropic', model: 'claude-haiku-4-5' }, () => ({}));
  traceToolCall({ name: 'Bash', args: { command: 'ls' } }, () => '');
  expect(lines).toEqual([
    '"execute_tool Grep" ran outside withSession(), so it is stored as a session of its own. Wrap the agent\'s loop in withSession({ sessionId }, ...) (this warning is shown once).',
  ]);
  // The calls are still recorded: three spans without a session id.
  expect(exporter.getFinishedSpans().filter((s) => s.attributes['gen_ai.conversation.id'] === undefined)).toHaveLength(3);
  await tracing.shutdown();
});
