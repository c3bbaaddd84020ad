/**
 * claudeAgentTracing against the real thing: query() from
 * @anthropic-ai/claude-agent-sdk runs the Claude Code binary it bundles,
 * offline, against a fake Anthropic API (claude-agent-fake-api.ts); the binary
 * executes the scripted tools for real (Read of a temp file, Bash, two
 * subagents side by side).
 */
import { query, type Options, type SDKMessage, type SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { claudeAgentTracing, DEFAULT_PRICES, priceModelCall } from '../../packages/sdk/src/index.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeScript, type FakeUsage, type ServedResponse } from './claude-agent-fake-api.js';
import { captureSpans, parentId, spanId } from './helpers.js';

const cap = captureSpans();
const u = (input: number, output: number, cacheRead: number, cacheWrite: number): FakeUsage => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_input_tokens: cacheRead,
  cache_creation_input_tokens: cacheWrite,
});

let dir: string;
let work: string;
let notes: string;

beforeAll(() => {
  // Under the run's temporary folder, removed when the run ends (HOME and Claude Code's transcripts too).
  dir = mkdtempSync(join(inject('tempRoot') ?? tmpdir(), 'claude-query-'));
  work = join(dir, 'work');
  mkdirSync(work);
  notes = join(work, 'notes.txt');
  writeFileSync(notes, 'alpha\nbeta\n');
});

function scripts(): FakeScript[] {
  return [
    {
      name: 'main',
      steps: [
        // Two content blocks: Claude Code streams them as two assistant messages sharing one message id.
        { content: [{ text: 'Reading the notes.' }, { tool_use: { name: 'Read', input: { file_path: notes } } }], usage: u(12, 30, 0, 4000) },
        { content: [{ tool_use: { name: 'Bash', input: { command: 'wc -l notes.txt', description: 'Count lines' } } }], usage: u(7, 20, 4000, 300) },
        {
          content: [
            { tool_use: { name: 'Task', input: { description: 'Slow count', prompt: 'SUBAGENT_A count the lines', subagent_type: 'general-purpose' } } },
            { tool_use: { name: 'Task', input: { description: 'Quick look', prompt: 'SUBAGENT_B read the notes', subagent_type: 'general-purpose' } } },
          ],
          usage: u(5, 25, 4300, 200),
        },
        { content: [{ text: 'Done: notes.txt has 2 lines.' }], usage: u(3, 9, 4500, 100) },
      ],
    },
    {
      name: 'suba',
      match: 'SUBAGENT_A',
      steps: [
        // Slower than B, so the two subagents overlap and B finishes first.
        { content: [{ tool_use: { name: 'Bash', input: { command: 'sleep 0.3; wc -l notes.txt', description: 'Slow count' } } }], usage: u(20, 15, 0, 2000) },
        { content: [{ text: 'A: 2 lines.' }], usage: u(4, 6, 2000, 50) },
      ],
    },
    {
      name: 'subb',
      match: 'SUBAGENT_B',
      steps: [
        { content: [{ tool_use: { name: 'Bash', input: { command: 'cat missing.txt', description: 'Show a missing file' } } }], usage: u(21, 16, 0, 2001) },
        { content: [{ text: 'B: no such file.' }], usage: u(5, 7, 2001, 51) },
      ],
    },
  ];
}

interface Run {
  api: FakeAnthropic;
  messages: SDKMessage[];
  result: SDKResultMessage;
  ms: number;
}

/** Runs the scripted session; delayMs makes the caller read each message that much later than Claude Code sends it. */
async function run(delayMs: number): Promise<Run> {
  const api = await startFakeAnthropic(scripts());
  const home = mkdtempSync(join(dir, 'home-'));
  const tracing = claudeAgentTracing({ agentName: 'coder', useCase: 'bugfix' });
  const messages: SDKMessage[] = [];
  const t0 = Date.now();
  try {
    const options: Options = tracing.options({
      cwd: work,
      permissionMode: 'bypassPermissions',
      allowDangerouslySkipPermissions: true,
      settingSources: [],
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ANTHROPIC_BASE_URL: api.url,
        ANTHROPIC_API_KEY: 'sk-ant-test-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        // Claude Code refuses bypassPermissions as root outside a sandbox.
        IS_SANDBOX: '1',
      },
    });
    for await (const message of tracing.observe(query({ prompt: 'How many lines has notes.txt?', options }))) {
      messages.push(message);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  } finally {
    await api.close();
  }
  const result = messages.find((m): m is SDKResultMessage => m.type === 'result');
  if (!result) throw new Error(`no result message: ${messages.map((m) => m.type).join(', ')}`);
  return { api, messages, result, ms: Date.now() - t0 };
}

const named = (spans: ReadableSpan[], name: string): ReadableSpan => {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, got ${found.length}`);
  return found[0];
};
const byAttr = (spans: ReadableSpan[], key: string, value: string): ReadableSpan => {
  const found = spans.filter((s) => s.attributes[key] === value);
  if (found.length !== 1) throw new Error(`expected one span with ${key}=${value}, got ${found.length}`);
  return found[0];
};
const ms = (s: ReadableSpan, which: 'startTime' | 'endTime'): number => s[which][0] * 1e3 + s[which][1] / 1e6;
const opus = (usage: FakeUsage, model: string): number =>
  priceModelCall(
    {
      model,
      inputTokens: usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens,
      outputTokens: usage.output_tokens,
      cacheReadTokens: usage.cache_read_input_tokens,
      cacheWriteTokens: usage.cache_creation_input_tokens,
      inputIncludesCacheRead: true,
      inputIncludesCacheWrite: true,
    },
    DEFAULT_PRICES,
  ).costUsd;

describe.each([
  { reader: 'a caller reading every message at once', delayMs: 0 },
  { reader: 'a caller reading each message 40 ms late (hooks run ahead of the messages)', delayMs: 40 },
])('claudeAgentTracing with the real Claude Code, $reader', ({ delayMs }) => {
  let r: Run;
  let spans: ReadableSpan[];
  beforeAll(async () => {
    r = await run(delayMs);
    spans = cap.spans();
  });
  afterAll(() => cap.exporter.reset());

  it('took the scripted path: a success result and every scripted call served once', () => {
    expect(r.result.subtype).toBe('success');
    const scripted = r.api.served.filter((s) => s.script !== 'side');
    expect(scripted.map((s) => s.messageId).sort()).toEqual(['msg_main_0', 'msg_main_1', 'msg_main_2', 'msg_main_3', 'msg_suba_0', 'msg_suba_1', 'msg_subb_0', 'msg_subb_1']);
    // Partial messages were the tracer's idea, so the caller never saw one.
    expect(r.messages.filter((m) => m.type === 'stream_event')).toHaveLength(0);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('one session span; every span in its trace and conversation', () => {
    const session = named(spans, 'invoke_agent coder');
    expect(session.attributes).toMatchObject({
      'gen_ai.conversation.id': r.result.session_id,
      'fulcrum.span.type': 'session',
      'fulcrum.use_case': 'bugfix',
      'gen_ai.provider.name': 'anthropic',
    });
    expect(parentId(session)).toBeUndefined();
    for (const s of spans) {
      expect(s.spanContext().traceId).toBe(session.spanContext().traceId);
      expect(s.attributes['gen_ai.conversation.id']).toBe(r.result.session_id);
    }
  });

  it('one chat span per API call, with the tokens the API reported and Claude Code’s cost', () => {
    const chats = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    const served: ServedResponse[] = r.api.served.filter((s) => s.script !== 'side');
    const sideQueries = r.api.served.filter((s) => s.script === 'side');
    expect(chats.filter((s) => s.attributes['fulcrum.llm.unseen_calls'] !== true)).toHaveLength(served.length);
    expect(chats.filter((s) => s.attributes['fulcrum.llm.unseen_calls'] === true)).toHaveLength(sideQueries.length > 0 ? 1 : 0);
    // A subagent's answering call is never streamed: its span has the tokens the Agent result reports, and no message id.
    const answers = chats.filter((s) => s.attributes['gen_ai.response.id'] === undefined && s.attributes['fulcrum.llm.unseen_calls'] !== true);
    expect(answers).toHaveLength(2);
    const spanOf = (call: ServedResponse): ReadableSpan =>
      call.messageId === 'msg_suba_1' || call.messageId === 'msg_subb_1'
        ? answers.find((s) => s.attributes['gen_ai.usage.input_tokens'] === call.usage.input_tokens + call.usage.cache_read_input_tokens + call.usage.cache_creation_input_tokens)!
        : byAttr(chats, 'gen_ai.response.id', call.messageId);
    for (const call of served) {
      const s = spanOf(call);
      expect(s, call.messageId).toBeDefined();
      expect(s.name).toBe(`chat ${call.model}`);
      expect(s.attributes).toMatchObject({
        'gen_ai.request.model': call.model,
        'gen_ai.usage.input_tokens': call.usage.input_tokens + call.usage.cache_read_input_tokens + call.usage.cache_creation_input_tokens,
        'gen_ai.usage.cache_read.input_tokens': call.usage.cache_read_input_tokens,
        'gen_ai.usage.cache_creation.input_tokens': call.usage.cache_creation_input_tokens,
        'fulcrum.cost.source': 'claude_code',
        'fulcrum.span.type': 'llm',
      });
    }
    // Main thread (partial messages) and each subagent's answer (its Agent result): exact output and cost.
    for (const id of ['msg_main_0', 'msg_main_1', 'msg_main_2', 'msg_main_3', 'msg_suba_1', 'msg_subb_1']) {
      const call = served.find((c) => c.messageId === id)!;
      const s = spanOf(call);
      expect(s.attributes['gen_ai.usage.output_tokens'], id).toBe(call.usage.output_tokens);
      expect(s.attributes['fulcrum.usage.output_estimated']).toBeUndefined();
      expect(s.attributes['fulcrum.cost.usd']).toBeCloseTo(opus(call.usage, call.model), 12);
    }
    expect(byAttr(chats, 'gen_ai.response.id', 'msg_main_0').attributes['fulcrum.cost.usd']).toBeCloseTo((12 * 5 + 30 * 25 + 4000 * 6.25) / 1e6, 12);
    // Each subagent's first call: the SDK never streams its output tokens; the two share what the totals leave (15 + 16).
    const firsts = ['msg_suba_0', 'msg_subb_0'].map((id) => byAttr(chats, 'gen_ai.response.id', id).attributes);
    expect(firsts.map((a) => a['fulcrum.usage.output_estimated'])).toEqual([true, true]);
    const [a, b] = firsts.map((x) => x['gen_ai.usage.output_tokens'] as number);
    expect(a + b).toBe(15 + 16);
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1);
    // The session's dollars and tokens are Claude Code's own.
    const spend = chats.reduce((sum, s) => sum + (s.attributes['fulcrum.cost.usd'] as number), 0);
    expect(spend).toBeCloseTo(r.result.total_cost_usd, 12);
    expect(r.result.total_cost_usd).toBeCloseTo([...served, ...sideQueries].reduce((sum, c) => sum + opus(c.usage, c.model), 0), 12);
    const outputs = chats.reduce((sum, s) => sum + (s.attributes['gen_ai.usage.output_tokens'] as number), 0);
    expect(outputs).toBe([...served, ...sideQueries].reduce((sum, c) => sum + c.usage.output_tokens, 0));
  });

  it('execute_tool spans: names, ids, file path, command, outcome; under the session on the main thread', () => {
    const session = named(spans, 'invoke_agent coder');
    const read = byAttr(spans, 'gen_ai.tool.call.id', 'toolu_main_0_1');
    expect(read.name).toBe('execute_tool Read');
    expect(read.attributes).toMatchObject({ 'gen_ai.tool.name': 'Read', 'fulcrum.file.path': notes, 'fulcrum.success': true, 'fulcrum.span.type': 'tool' });
    expect(read.attributes['fulcrum.tool.result_size']).toBeGreaterThan(0);
    const bash = byAttr(spans, 'gen_ai.tool.call.id', 'toolu_main_1_0');
    expect(bash.attributes).toMatchObject({ 'gen_ai.tool.name': 'Bash', 'fulcrum.command': 'wc -l notes.txt', 'fulcrum.success': true });
    for (const s of [read, bash, byAttr(spans, 'gen_ai.tool.call.id', 'toolu_main_2_0'), byAttr(spans, 'gen_ai.tool.call.id', 'toolu_main_2_1')]) {
      expect(parentId(s)).toBe(spanId(session));
    }
    const failed = byAttr(spans, 'gen_ai.tool.call.id', 'toolu_subb_0_0');
    expect(failed.attributes).toMatchObject({ 'gen_ai.tool.name': 'Bash', 'fulcrum.command': 'cat missing.txt', 'fulcrum.success': false, 'error.type': 'tool_error' });
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('each subagent under the Agent call that started it, its model and tool calls under it', () => {
    const agents = spans.filter((s) => s.attributes['fulcrum.span.type'] === 'agent');
    expect(agents).toHaveLength(2);
    for (const [call, script, tool] of [
      ['toolu_main_2_0', 'suba', 'toolu_suba_0_0'],
      ['toolu_main_2_1', 'subb', 'toolu_subb_0_0'],
    ] as const) {
      const agentCall = byAttr(spans, 'gen_ai.tool.call.id', call);
      expect(agentCall.name).toBe('execute_tool Agent');
      const agent = agents.find((a) => parentId(a) === spanId(agentCall));
      expect(agent, `subagent of ${call}`).toBeDefined();
      expect(agent!.name).toBe('invoke_agent general-purpose');
      expect(agent!.attributes['gen_ai.agent.id']).toMatch(/^a[0-9a-f]+$/);
      expect(agent!.attributes['fulcrum.subagent.type']).toBe('general-purpose');
      expect(parentId(byAttr(spans, 'gen_ai.tool.call.id', tool))).toBe(spanId(agent!));
      const chats = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat' && parentId(s) === spanId(agent!));
      expect(chats).toHaveLength(2);
      expect(chats.map((s) => s.attributes['gen_ai.response.id'])).toContain(`msg_${script}_0`);
      // The answering call comes after the subagent's tool call ended.
      const answer = chats.find((s) => s.attributes['gen_ai.response.id'] === undefined)!;
      expect(ms(answer, 'startTime')).toBeGreaterThanOrEqual(ms(byAttr(spans, 'gen_ai.tool.call.id', tool), 'endTime'));
      expect(ms(answer, 'endTime')).toBeLessThanOrEqual(ms(agent!, 'endTime'));
      expect(ms(agent!, 'endTime')).toBeLessThanOrEqual(ms(agentCall, 'endTime'));
    }
  });

  it('a model call starts before the tool calls it issued', () => {
    for (const [message, tools] of [
      ['msg_main_0', ['toolu_main_0_1']],
      ['msg_main_2', ['toolu_main_2_0', 'toolu_main_2_1']],
      ['msg_suba_0', ['toolu_suba_0_0']],
      ['msg_subb_0', ['toolu_subb_0_0']],
    ] as const) {
      const chat = byAttr(spans, 'gen_ai.response.id', message);
      for (const t of tools) expect(ms(chat, 'startTime')).toBeLessThan(ms(byAttr(spans, 'gen_ai.tool.call.id', t), 'startTime'));
    }
  });
});
