import { trace, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { configureWrappers, traceModelCall, traceSkill, traceSubagent, traceToolCall, traceMcpCall, withSession } from '../../packages/sdk/src/index.js';
import { captureSpans, parentId, spanId } from './helpers.js';

const cap = captureSpans();
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('traceToolCall', () => {
  it('Read: exact attributes', () => {
    const out = traceToolCall({ name: 'Read', id: 'toolu_01', args: { file_path: '/repo/src/a.ts', offset: 5, limit: 20 } }, () => 'line\nline\n');
    expect(out).toBe('line\nline\n');
    const s = cap.one('execute_tool Read');
    expect(s.attributes).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Read',
      'gen_ai.tool.call.id': 'toolu_01',
      'fulcrum.span.type': 'tool',
      'fulcrum.tool.args': '{"file_path":"/repo/src/a.ts","limit":20,"offset":5}',
      'fulcrum.tool.args_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
      'fulcrum.file.path': '/repo/src/a.ts',
      'fulcrum.read.offset': 5,
      'fulcrum.read.limit': 20,
      'fulcrum.tool.result_size': 10,
      'fulcrum.success': true,
    });
    expect(s.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('Edit, Grep and Bash', async () => {
    traceToolCall({ name: 'Edit', id: 'e', args: { file_path: '/r/x.ts', old_string: 'a\nb\nc', new_string: 'a\nB\nB2\nc' } }, () => ({ ok: true }));
    traceToolCall({ name: 'Grep', id: 'g', args: { pattern: 'TODO', path: 'src' } }, () => 'src/a.ts:1: TODO');
    await traceToolCall({ name: 'Bash', id: 'b', args: { command: 'npm test' } }, async () => 'ok');
    expect(cap.one('execute_tool Edit').attributes).toMatchObject({ 'fulcrum.file.path': '/r/x.ts', 'fulcrum.lines.added': 2, 'fulcrum.lines.removed': 1, 'fulcrum.tool.result_size': 11 });
    expect(cap.one('execute_tool Grep').attributes).toMatchObject({ 'fulcrum.search.pattern': 'TODO', 'fulcrum.file.path': 'src' });
    expect(cap.one('execute_tool Bash').attributes).toMatchObject({ 'fulcrum.command': 'npm test', 'fulcrum.success': true, 'fulcrum.tool.result_size': 2 });
  });

  it('equal args hash equally whatever the key order; different args differ', () => {
    traceToolCall({ name: 'Read', args: { file_path: 'a', limit: 1 } }, () => 1);
    traceToolCall({ name: 'Read', args: { limit: 1, file_path: 'a' } }, () => 1);
    traceToolCall({ name: 'Read', args: { limit: 2, file_path: 'a' } }, () => 1);
    const [a, b, c] = cap.spans().map((s) => s.attributes['fulcrum.tool.args_hash']);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('truncates long args to the configured length but hashes all of them', () => {
    const long = 'x'.repeat(5000);
    traceToolCall({ name: 'Write', args: { file_path: 'f', content: long } }, () => undefined);
    traceToolCall({ name: 'Write', args: { file_path: 'f', content: long + 'y' } }, () => undefined);
    const [a, b] = cap.spans();
    expect(String(a.attributes['fulcrum.tool.args']).length).toBe(1024);
    expect(a.attributes['fulcrum.tool.args']).toBe(b.attributes['fulcrum.tool.args']);
    expect(a.attributes['fulcrum.tool.args_hash']).not.toBe(b.attributes['fulcrum.tool.args_hash']);
    expect(a.attributes['fulcrum.tool.result_size']).toBeUndefined();
  });

  it('an { isError: true } result is a tool_error', () => {
    const result = { isError: true, content: [{ type: 'text', text: 'no such file' }] };
    expect(traceToolCall({ name: 'Read', args: { file_path: 'nope' } }, () => result)).toBe(result);
    const s = cap.one('execute_tool Read');
    expect(s.attributes['error.type']).toBe('tool_error');
    expect(s.attributes['fulcrum.success']).toBe(false);
    expect(s.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe('traceToolCall with arguments that throw when read', () => {
  /** Arguments a harness might pass: a Proxy whose ownKeys trap throws, an object whose getter throws. */
  const throwingArgs = (): Array<[string, unknown]> => [
    [
      'a Proxy whose ownKeys throws',
      new Proxy({ file_path: '/r/a.ts' }, {
        ownKeys() {
          throw new Error('ownKeys refused');
        },
      }),
    ],
    [
      'a getter that throws',
      {
        file_path: '/r/a.ts',
        get content(): string {
          throw new Error('getter refused');
        },
      },
    ],
  ];
  const paths: Array<[string, boolean]> = [
    ['deferred', true],
    ['eager', false],
  ];

  it.each(paths)('%s path: the tool runs, its result passes through, the span has no argument attributes', (_path, deferred) => {
    const previous = configureWrappers({ deferToolAttributes: deferred });
    try {
      for (const [label, args] of throwingArgs()) {
        cap.exporter.reset();
        let ran = 0;
        const out = traceToolCall({ name: 'Write', id: 'toolu_t', args }, () => {
          ran++;
          return 'ok';
        });
        expect([label, out, ran]).toEqual([label, 'ok', 1]);
        expect(cap.one('execute_tool Write').attributes).toEqual({
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'Write',
          'fulcrum.span.type': 'tool',
          'gen_ai.tool.call.id': 'toolu_t',
          'fulcrum.tool.result_size': 2,
          'fulcrum.success': true,
        });
      }
    } finally {
      configureWrappers(previous);
    }
  });

  it.each(paths)("%s path: the tool's own error is rethrown unchanged and recorded", async (_path, deferred) => {
    const previous = configureWrappers({ deferToolAttributes: deferred });
    try {
      for (const [label, args] of throwingArgs()) {
        cap.exporter.reset();
        const err = new TypeError(`tool failed (${label})`);
        expect(() =>
          traceToolCall({ name: 'Write', args }, () => {
            throw err;
          }),
        ).toThrow(err);
        const rejected = traceToolCall({ name: 'Write', args }, () => Promise.reject(err));
        await expect(rejected).rejects.toBe(err);
        const [sync, async] = cap.spans();
        for (const s of [sync, async]) {
          expect(s.status.code).toBe(SpanStatusCode.ERROR);
          expect(s.attributes).toEqual({
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'Write',
            'fulcrum.span.type': 'tool',
            'error.type': 'TypeError',
            'fulcrum.success': false,
          });
        }
      }
    } finally {
      configureWrappers(previous);
    }
  });
});

describe('traceModelCall', () => {
  const anthropic = { id: 'msg_1', model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 } };
  it('Anthropic: semconv input total, cache tokens and cost', async () => {
    const r = await traceModelCall({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, async () => anthropic);
    expect(r).toBe(anthropic);
    const s = cap.one('chat claude-sonnet-4-5');
    expect(s.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'fulcrum.span.type': 'llm',
      'gen_ai.usage.input_tokens': 1300,
      'gen_ai.usage.output_tokens': 50,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.cache_creation.input_tokens': 200,
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.response.id': 'msg_1',
      'fulcrum.cost.usd': expect.any(Number),
    });
    // 100*3 + 50*15 + 1000*0.3 + 200*3.75 = 2100 micro-dollars
    expect(s.attributes['fulcrum.cost.usd']).toBeCloseTo(0.0021, 12);
    expect(s.kind).toBe(2); // CLIENT
  });

  it('OpenAI chat completions', () => {
    traceModelCall({ provider: 'openai', model: 'gpt-4.1' }, () => ({ model: 'gpt-4.1-2025-04-14', usage: { prompt_tokens: 1000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 400 } } }));
    const a = cap.one('chat gpt-4.1').attributes;
    expect(a).toMatchObject({ 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 400 });
    expect(a['gen_ai.usage.cache_creation.input_tokens']).toBeUndefined();
    expect(a['fulcrum.cost.usd']).toBeCloseTo((600 * 2 + 100 * 8 + 400 * 0.5) / 1e6, 12);
  });

  it('OpenAI responses API', () => {
    traceModelCall({ provider: 'openai', model: 'gpt-5-codex' }, () => ({ object: 'response', id: 'resp_1', model: 'gpt-5-codex', usage: { input_tokens: 2000, output_tokens: 300, input_tokens_details: { cached_tokens: 1500 }, output_tokens_details: { reasoning_tokens: 100 } } }));
    const a = cap.one('chat gpt-5-codex').attributes;
    expect(a).toMatchObject({ 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 1500, 'gen_ai.response.id': 'resp_1' });
    expect(a['fulcrum.cost.usd']).toBeCloseTo((500 * 1.25 + 300 * 10 + 1500 * 0.125) / 1e6, 12);
  });

  it('Google usageMetadata', () => {
    traceModelCall({ provider: 'gcp.gemini', model: 'gemini-2.5-pro' }, () => ({ modelVersion: 'gemini-2.5-pro', responseId: 'r9', usageMetadata: { promptTokenCount: 800, candidatesTokenCount: 80, cachedContentTokenCount: 300 } }));
    const a = cap.one('chat gemini-2.5-pro').attributes;
    expect(a).toMatchObject({ 'gen_ai.usage.input_tokens': 800, 'gen_ai.usage.output_tokens': 80, 'gen_ai.usage.cache_read.input_tokens': 300, 'gen_ai.response.id': 'r9' });
    expect(a['fulcrum.cost.usd']).toBeCloseTo((500 * 1.25 + 80 * 10 + 300 * 0.125) / 1e6, 12);
  });

  it('unknown model: unpriced, no cost attribute', () => {
    traceModelCall({ provider: 'ollama', model: 'llama3:70b' }, () => ({ usage: { prompt_tokens: 10, completion_tokens: 5 } }));
    const a = cap.one('chat llama3:70b').attributes;
    expect(a['fulcrum.cost.unpriced']).toBe(true);
    expect('fulcrum.cost.usd' in a).toBe(false);
  });

  it('streams: usage from the usage option', () => {
    traceModelCall({ provider: 'anthropic', model: 'claude-haiku-4-5', usage: () => ({ inputTokens: 1e6, outputTokens: 0 }) }, () => 'stream');
    expect(cap.one('chat claude-haiku-4-5').attributes['fulcrum.cost.usd']).toBeCloseTo(1, 12);
  });
});

describe('withSession, traceSubagent, traceSkill, traceMcpCall', () => {
  it('puts the session id on every span inside, across async boundaries', async () => {
    await withSession({ sessionId: 'sess-1', agentName: 'coder', useCase: 'bugfix', model: 'claude-opus-4-5', provider: 'anthropic' }, async () => {
      await tick();
      await Promise.all([
        traceToolCall({ name: 'Read', args: { file_path: 'a' } }, async () => {
          await tick();
          return 'a';
        }),
        traceSubagent({ name: 'explorer', type: 'Explore', agentId: 'ag1' }, async () => {
          await tick();
          await new Promise((r) => setTimeout(r, 5));
          return traceSkill('pdf', () => traceModelCall({ provider: 'anthropic', model: 'claude-haiku-4-5' }, () => ({})));
        }),
      ]);
    });
    traceToolCall({ name: 'Read', args: { file_path: 'outside' } }, () => 1);
    const spans = cap.spans();
    const outside = spans.filter((s) => s.attributes['fulcrum.file.path'] === 'outside');
    const inside = spans.filter((s) => !outside.includes(s));
    expect(inside.map((s) => s.name).sort()).toEqual(['chat claude-haiku-4-5', 'execute_tool Read', 'invoke_agent coder', 'invoke_agent explorer', 'skill pdf']);
    for (const s of inside) expect(s.attributes['gen_ai.conversation.id'], s.name).toBe('sess-1');
    expect(outside[0].attributes['gen_ai.conversation.id']).toBeUndefined();

    const session = cap.one('invoke_agent coder');
    expect(session.attributes).toEqual({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.conversation.id': 'sess-1',
      'fulcrum.span.type': 'session',
      'gen_ai.agent.name': 'coder',
      'fulcrum.use_case': 'bugfix',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-opus-4-5',
    });
    expect(parentId(session)).toBeUndefined();
    const sub = cap.one('invoke_agent explorer');
    expect(sub.attributes).toEqual({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'explorer',
      'gen_ai.agent.id': 'ag1',
      'fulcrum.subagent.type': 'Explore',
      'fulcrum.span.type': 'agent',
      'gen_ai.conversation.id': 'sess-1',
    });
    expect(parentId(sub)).toBe(spanId(session));
    const skill = cap.one('skill pdf');
    expect(skill.attributes).toEqual({ 'fulcrum.span.type': 'skill', 'fulcrum.skill.name': 'pdf', 'fulcrum.success': true, 'gen_ai.conversation.id': 'sess-1' });
    expect(parentId(skill)).toBe(spanId(sub));
    expect(parentId(cap.one('chat claude-haiku-4-5'))).toBe(spanId(skill));
  });

  it('generates a session id when none is given', () => {
    withSession({}, () => traceToolCall({ name: 'LS', args: { path: '.' } }, () => 1));
    const id = cap.one('invoke_agent').attributes['gen_ai.conversation.id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(cap.one('execute_tool LS').attributes['gen_ai.conversation.id']).toBe(id);
  });

  it('traceMcpCall', async () => {
    await traceMcpCall({ server: 'github', tool: 'create_issue', args: { title: 't' }, id: 'c1' }, async () => ({ content: [] }));
    expect(cap.one('tools/call create_issue').attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'create_issue',
      'fulcrum.mcp.server': 'github',
      'fulcrum.span.type': 'mcp',
      'gen_ai.tool.call.id': 'c1',
      'fulcrum.tool.args': '{"title":"t"}',
      'fulcrum.tool.args_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
      'fulcrum.tool.result_size': 14,
      'fulcrum.success': true,
    });
  });
});

class CustomError extends Error {
  override name = 'CustomError';
}

type Wrap = <T>(fn: () => T) => T;
const wrappers: Array<[string, Wrap, string]> = [
  ['traceToolCall', (fn) => traceToolCall({ name: 'Bash', args: { command: 'x' } }, fn), 'execute_tool Bash'],
  ['traceModelCall', (fn) => traceModelCall({ provider: 'openai', model: 'o3' }, fn), 'chat o3'],
  ['withSession', (fn) => withSession({ sessionId: 's', agentName: 'a' }, fn), 'invoke_agent a'],
  ['traceSubagent', (fn) => traceSubagent({ name: 'sub' }, fn), 'invoke_agent sub'],
  ['traceSkill', (fn) => traceSkill('k', fn), 'skill k'],
  ['traceMcpCall', (fn) => traceMcpCall({ server: 'srv', tool: 't' }, fn), 'tools/call t'],
];

describe.each(wrappers)('%s returns and rethrows unchanged', (_n, wrap, spanName) => {
  it('sync value', () => {
    const v = { a: 1 };
    expect(wrap(() => v)).toBe(v);
    expect(cap.one(spanName).status.code).toBe(SpanStatusCode.UNSET);
  });
  it('async value: the same promise, the same value', async () => {
    const v = { a: 2 };
    const p = Promise.resolve(v);
    const out = wrap(() => p);
    expect(out).toBe(p);
    expect(await out).toBe(v);
    await tick();
    expect(cap.one(spanName).ended).toBe(true);
  });
  it('non-native thenable is awaited once', async () => {
    let calls = 0;
    const thenable = { then: (ok: (v: number) => void) => (calls++, ok(7)) };
    expect(await wrap(() => thenable)).toBe(7);
    expect(calls).toBe(1);
  });
  it('sync throw: the same error object, ERROR status, error.type', () => {
    const err = new CustomError('boom');
    let caught: unknown;
    try {
      wrap(() => {
        throw err;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(err);
    const s = cap.one(spanName);
    expect(s.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(s.attributes['error.type']).toBe('CustomError');
    expect(s.events.map((e) => e.name)).toEqual(['exception']);
  });
  it('async rejection: the same error object', async () => {
    const err = new TypeError('bad');
    await expect(wrap(async () => Promise.reject(err))).rejects.toBe(err);
    await tick();
    const s = cap.one(spanName);
    expect(s.attributes['error.type']).toBe('TypeError');
    expect(s.status.code).toBe(SpanStatusCode.ERROR);
  });
  it('non-Error throw', () => {
    const thrown = { code: 42 };
    expect(() =>
      wrap(() => {
        throw thrown;
      }),
    ).toThrow();
    expect(cap.one(spanName).attributes['error.type']).toBe('_OTHER');
  });
});
