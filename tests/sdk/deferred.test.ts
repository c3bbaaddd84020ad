/**
 * traceToolCall defers its argument work to export time under startTracing.
 * These tests hold the deferred spans to what the eager path exports.
 */
import type { Attributes } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configureWrappers, getSettings, RedactingSpanExporter, traceToolCall, type ToolCallMeta } from '../../packages/sdk/src/index.js';
import { captureSpans } from './helpers.js';
import { FAKE_SECRETS } from './secrets.js';

const cap = captureSpans();

function eagerly<T>(f: () => T): T {
  const previous = configureWrappers({ deferToolAttributes: false });
  try {
    return f();
  } finally {
    configureWrappers(previous);
  }
}

/** Attributes exported for the same call made deferred and eagerly. */
function both(meta: () => ToolCallMeta, fn: () => unknown = () => 'ok'): [Attributes, Attributes] {
  cap.exporter.reset();
  expect(getSettings().deferToolAttributes).toBe(true);
  traceToolCall(meta(), fn);
  eagerly(() => traceToolCall(meta(), fn));
  const [deferred, eager] = cap.spans();
  return [deferred.attributes, eager.attributes];
}

const TOOLS = ['Read', 'Write', 'Edit', 'MultiEdit', 'Bash', 'shell', 'apply_patch', 'Grep', 'Glob', 'LS', 'read_many_files', 'WebFetch'];

describe('deferred tool attributes', () => {
  it('equal the eager ones for any JSON arguments', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TOOLS), fc.option(fc.string(), { nil: undefined }), fc.jsonValue(), (name, id, args) => {
        const [deferred, eager] = both(() => ({ name, id, args }));
        expect(deferred).toEqual(eager);
      }),
      { numRuns: 300 },
    );
  });

  it('equal the eager ones for tool-shaped arguments, secrets included', () => {
    const calls: ToolCallMeta[] = [
      { name: 'Read', id: 'r', args: { file_path: '/a.ts', offset: '5', limit: 10 } },
      { name: 'Bash', args: { command: `GITHUB_TOKEN=${FAKE_SECRETS.github} npm test`, env: { DB_PASSWORD: FAKE_SECRETS.dbPassword } } },
      { name: 'shell', args: { command: ['bash', '-lc', `curl -u admin:${FAKE_SECRETS.dbPassword} https://x`] } },
      { name: 'MultiEdit', args: { file_path: 'f', edits: [{ old_string: 'a', new_string: 'b\nc' }, null, { oldString: 'x\ny' }] } },
      { name: 'apply_patch', args: '*** Begin Patch\n*** Add File: n.ts\n+x\n*** End Patch' },
      { name: 'Write', args: { file_path: 'big', content: 'line\n'.repeat(20_000) } },
      { name: 'Grep', args: { pattern: FAKE_SECRETS.openai, path: `/home/u/${FAKE_SECRETS.awsAccessKey}` } },
      { name: 'Read', args: { file_path: 'd', when: new Date(0), n: 10n, f: () => 1, [Symbol('s')]: 1 } },
      { name: 'Read', args: Object.assign(Object.create(null), { file_path: 'nullproto', 2: 'x', 10: 'y' }) },
      { name: 'Read', args: { file_path: 'sparse', list: [1, , 3] } },
    ];
    for (const call of calls) {
      const [deferred, eager] = both(() => call);
      expect(deferred, call.name).toEqual(eager);
    }
    const [deferred] = both(() => calls[1]);
    expect(JSON.stringify(deferred)).not.toContain(FAKE_SECRETS.github);
  });

  it('describe the arguments as they were when the call started', async () => {
    const args = { command: 'ls', nested: { list: [1] } };
    traceToolCall({ name: 'Bash', args }, () => {
      args.command = 'rm -rf /';
      args.nested.list.push(2);
    });
    const later = { file_path: 'a', edits: [{ old_string: 'x', new_string: 'y' }] };
    await traceToolCall({ name: 'MultiEdit', args: later }, async () => {
      await Promise.resolve();
      later.edits[0].new_string = 'y\nz\nw';
      later.file_path = 'b';
    });
    const [bash, edit] = cap.spans();
    expect(bash.attributes).toMatchObject({ 'fulcrum.command': 'ls', 'fulcrum.tool.args': '{"command":"ls","nested":{"list":[1]}}' });
    expect(edit.attributes).toMatchObject({ 'fulcrum.file.path': 'a', 'fulcrum.lines.added': 1, 'fulcrum.lines.removed': 1 });
  });

  it('a cyclic argument falls back to the eager path', () => {
    const meta = (): ToolCallMeta => {
      const args: Record<string, unknown> = { file_path: 'c' };
      args.self = args;
      return { name: 'Read', args };
    };
    const [deferred, eager] = both(meta);
    expect(deferred).toEqual(eager);
    expect(deferred['fulcrum.tool.args']).toBe('{"file_path":"c","self":"[Circular]"}');
  });

  it("keeps the caller's attributes, the wrapper's own over them, the tool's own over both", () => {
    const meta = (): ToolCallMeta => ({
      name: 'Read',
      args: { file_path: 'a' },
      attributes: { 'app.x': 'y', 'fulcrum.file.path': 'caller', 'fulcrum.command': 'caller cmd', 'gen_ai.tool.name': 'caller', 'fulcrum.success': false },
    });
    const fn = (span?: { setAttribute(k: string, v: string): void }): undefined => {
      span?.setAttribute('fulcrum.tool.args', 'set by the tool');
    };
    const [deferred, eager] = both(meta, fn as () => unknown);
    expect(deferred).toEqual(eager);
    expect(deferred).toMatchObject({
      'app.x': 'y',
      'fulcrum.file.path': 'a',
      'fulcrum.command': 'caller cmd',
      'gen_ai.tool.name': 'Read',
      'fulcrum.tool.args': 'set by the tool',
      'fulcrum.success': true,
    });
  });

  it('records result size and in-band failures like the eager path', async () => {
    const [ok, okEager] = both(() => ({ name: 'Read', args: { file_path: 'a' } }), () => ({ content: 'x' }));
    expect(ok).toEqual(okEager);
    const [bad, badEager] = both(() => ({ name: 'Read', args: { file_path: 'a' } }), () => ({ isError: true }));
    expect(bad).toEqual(badEager);
    expect(bad).toMatchObject({ 'error.type': 'tool_error', 'fulcrum.success': false, 'fulcrum.tool.result_size': 16 });
  });
});

describe('RedactingSpanExporter', () => {
  it('drops a span it cannot redact instead of exporting it', () => {
    const inner = new InMemorySpanExporter();
    const exporter = new RedactingSpanExporter(inner, {
      redactor: () => {
        throw new Error('broken redactor');
      },
    });
    const span = { attributes: { secret: 'x'.repeat(20) }, events: [], status: {} } as unknown as ReadableSpan;
    let code: number | undefined;
    exporter.export([span], (r) => (code = r.code));
    expect(code).toBe(0);
    expect(inner.getFinishedSpans()).toHaveLength(0);
  });
});
