import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { claudeAgentHooks, claudeAgentTracing, configureWrappers, type ClaudeHookInput, type ClaudeHooks } from '../../packages/sdk/src/index.js';
import { captureSpans, parentId, spanId } from './helpers.js';
import { FAKE_SECRETS } from './secrets.js';

const cap = captureSpans();
const base = { session_id: 'a1b2c3', transcript_path: '/home/u/.claude/projects/x/a1b2c3.jsonl', cwd: '/repo', permission_mode: 'default' };
const signal = new AbortController().signal;

type TracedInput = Exclude<ClaudeHookInput, { hook_event_name: 'SessionStart' | 'SessionEnd' }>;

async function fire(hooks: ClaudeHooks, input: TracedInput): Promise<void> {
  const matchers = hooks[input.hook_event_name];
  for (const m of matchers) for (const h of m.hooks) expect(await h(input, 'tool_use_id' in input ? input.tool_use_id : undefined, { signal })).toEqual({ continue: true });
}

describe('claudeAgentHooks', () => {
  it('has the Agent SDK hooks shape, without the session hooks Claude Code does not deliver to the SDK', () => {
    const { hooks } = claudeAgentHooks();
    expect(Object.keys(hooks).sort()).toEqual(['PostToolUse', 'PostToolUseFailure', 'PreToolUse', 'SubagentStart', 'SubagentStop']);
    for (const event of ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'SubagentStart', 'SubagentStop'] as const) {
      expect(hooks[event]).toHaveLength(1);
      expect(typeof hooks[event][0].hooks[0]).toBe('function');
    }
  });

  it('traces a session: tools, a failing tool, a subagent under its Task call', async () => {
    const { hooks, end } = claudeAgentHooks({ agentName: 'coder', useCase: 'feature' });
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/repo/src/app.ts', offset: 1, limit: 40 }, tool_use_id: 'toolu_1' });
    await fire(hooks, { ...base, hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: '/repo/src/app.ts' }, tool_response: { type: 'text', file: { filePath: '/repo/src/app.ts', content: 'export {}\n' } }, tool_use_id: 'toolu_1' });
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: `GITHUB_TOKEN=${FAKE_SECRETS.github} npm test` }, tool_use_id: 'toolu_2' });
    await fire(hooks, { ...base, hook_event_name: 'PostToolUseFailure', tool_name: 'Bash', tool_input: {}, tool_use_id: 'toolu_2', error: 'Exit code 1' });
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Task', tool_input: { subagent_type: 'Explore', prompt: 'find it' }, tool_use_id: 'toolu_3' });
    await fire(hooks, { ...base, hook_event_name: 'SubagentStart', agent_id: 'agent-9', agent_type: 'Explore' });
    // Hooks fired inside a subagent carry its agent_id.
    await fire(hooks, { ...base, agent_id: 'agent-9', agent_type: 'Explore', hook_event_name: 'PreToolUse', tool_name: 'Grep', tool_input: { pattern: 'main', path: 'src' }, tool_use_id: 'toolu_4' });
    await fire(hooks, { ...base, agent_id: 'agent-9', agent_type: 'Explore', hook_event_name: 'PostToolUse', tool_name: 'Grep', tool_input: {}, tool_response: 'src/app.ts', tool_use_id: 'toolu_4' });
    await fire(hooks, { ...base, hook_event_name: 'SubagentStop', agent_id: 'agent-9', stop_hook_active: false });
    await fire(hooks, { ...base, hook_event_name: 'PostToolUse', tool_name: 'Task', tool_input: {}, tool_response: { content: 'found' }, tool_use_id: 'toolu_3' });
    end();

    const session = cap.one('invoke_agent coder');
    expect(session.attributes).toEqual({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.conversation.id': 'a1b2c3',
      'gen_ai.agent.name': 'coder',
      'fulcrum.span.type': 'session',
      'fulcrum.use_case': 'feature',
    });
    const read = cap.one('execute_tool Read');
    expect(read.attributes).toMatchObject({
      'gen_ai.tool.name': 'Read',
      'gen_ai.tool.call.id': 'toolu_1',
      'fulcrum.file.path': '/repo/src/app.ts',
      'fulcrum.read.offset': 1,
      'fulcrum.read.limit': 40,
      'fulcrum.success': true,
      'gen_ai.conversation.id': 'a1b2c3',
    });
    expect(read.attributes['fulcrum.tool.result_size']).toBeGreaterThan(0);
    expect(parentId(read)).toBe(spanId(session));

    const bash = cap.one('execute_tool Bash');
    expect(bash.attributes).toMatchObject({ 'error.type': 'tool_error', 'fulcrum.success': false, 'fulcrum.command': 'GITHUB_TOKEN=[REDACTED:github_token] npm test' });
    expect(bash.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Exit code 1' });

    const task = cap.one('execute_tool Task');
    const sub = cap.one('invoke_agent Explore');
    expect(sub.attributes).toMatchObject({ 'gen_ai.agent.id': 'agent-9', 'fulcrum.subagent.type': 'Explore', 'fulcrum.span.type': 'agent', 'gen_ai.conversation.id': 'a1b2c3' });
    expect(parentId(sub)).toBe(spanId(task));
    expect(parentId(cap.one('execute_tool Grep'))).toBe(spanId(sub));
    expect(parentId(task)).toBe(spanId(session));
    expect(cap.spans().every((s) => s.spanContext().traceId === session.spanContext().traceId)).toBe(true);
    expect(JSON.stringify(cap.spans().map((s) => s.attributes))).not.toContain(FAKE_SECRETS.github);
  });

  it('opens the session lazily and end() closes whatever is still open', async () => {
    const tracing = claudeAgentHooks();
    await fire(tracing.hooks, { ...base, session_id: 's2', hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_input: { file_path: 'a', old_string: 'x', new_string: 'y\nz' }, tool_use_id: 't1' });
    expect(cap.spans()).toHaveLength(0);
    tracing.end();
    const names = cap.spans().map((s) => s.name).sort();
    expect(names).toEqual(['execute_tool Edit', 'invoke_agent claude-agent']);
    expect(cap.one('execute_tool Edit').attributes).toMatchObject({ 'fulcrum.lines.added': 2, 'fulcrum.lines.removed': 1, 'gen_ai.conversation.id': 's2' });
  });

  it('ignores unknown ids and never throws into the agent', async () => {
    const { hooks } = claudeAgentHooks();
    await fire(hooks, { ...base, hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: {}, tool_use_id: 'nope' });
    await fire(hooks, { ...base, hook_event_name: 'SubagentStop' });
    expect(cap.spans()).toHaveLength(0);
  });

  it('caps open spans', async () => {
    const tracing = claudeAgentHooks({ maxOpenSpans: 2 });
    for (const id of ['a', 'b', 'c']) await fire(tracing.hooks, { ...base, session_id: 's3', hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: {}, tool_use_id: id });
    const abandoned = cap.spans();
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0].attributes).toMatchObject({ 'gen_ai.tool.call.id': 'a', 'error.type': 'abandoned' });
    tracing.end();
  });
});

describe('claudeAgentHooks: MCP tools', () => {
  it('an mcp__server__tool call is an MCP invocation of that server', async () => {
    const { hooks, end } = claudeAgentHooks();
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'mcp__github__create_issue', tool_input: { title: 't' }, tool_use_id: 'm1' });
    await fire(hooks, { ...base, hook_event_name: 'PostToolUse', tool_name: 'mcp__github__create_issue', tool_input: {}, tool_response: [{ type: 'text', text: 'ok' }], tool_use_id: 'm1' });
    end();
    expect(cap.one('execute_tool mcp__github__create_issue').attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'fulcrum.mcp.server': 'github',
      'fulcrum.span.type': 'mcp',
      'gen_ai.tool.name': 'mcp__github__create_issue',
      'fulcrum.success': true,
    });
  });
});

describe('claudeAgentHooks: subagents side by side', () => {
  it('hooks alone: each subagent goes to the oldest Agent call of its type, its tools under it', async () => {
    const { hooks, end } = claudeAgentHooks();
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Agent', tool_input: { subagent_type: 'Explore', prompt: 'a' }, tool_use_id: 't-explore' });
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Agent', tool_input: { subagent_type: 'Plan', prompt: 'b' }, tool_use_id: 't-plan' });
    await fire(hooks, { ...base, hook_event_name: 'SubagentStart', agent_id: 'a-plan', agent_type: 'Plan' });
    await fire(hooks, { ...base, hook_event_name: 'SubagentStart', agent_id: 'a-explore', agent_type: 'Explore' });
    for (const [agent, id] of [['a-plan', 'p1'], ['a-explore', 'e1']] as const) {
      await fire(hooks, { ...base, agent_id: agent, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: `/repo/${id}` }, tool_use_id: id });
      await fire(hooks, { ...base, agent_id: agent, hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: {}, tool_response: 'x', tool_use_id: id });
    }
    end();
    const tool = (id: string) => cap.spans().find((s) => s.attributes['gen_ai.tool.call.id'] === id)!;
    const agent = (id: string) => cap.spans().find((s) => s.attributes['gen_ai.agent.id'] === id)!;
    expect(parentId(agent('a-plan'))).toBe(spanId(tool('t-plan')));
    expect(parentId(agent('a-explore'))).toBe(spanId(tool('t-explore')));
    expect(parentId(tool('p1'))).toBe(spanId(agent('a-plan')));
    expect(parentId(tool('e1'))).toBe(spanId(agent('a-explore')));
    expect(agent('a-plan').name).toBe('invoke_agent Plan');
  });

  it('task_started binds a subagent to its Agent call exactly, whatever order the SubagentStart hooks come in', async () => {
    const tracing = claudeAgentTracing();
    for (const id of ['t1', 't2']) {
      await fire(tracing.hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Agent', tool_input: { subagent_type: 'general-purpose' }, tool_use_id: id });
    }
    // The second agent started first: the oldest-call guess alone would swap them.
    tracing.record({ type: 'system', subtype: 'task_started', task_id: 'a2', tool_use_id: 't2', subagent_type: 'general-purpose', session_id: base.session_id });
    tracing.record({ type: 'system', subtype: 'task_started', task_id: 'a1', tool_use_id: 't1', subagent_type: 'general-purpose', session_id: base.session_id });
    await fire(tracing.hooks, { ...base, hook_event_name: 'SubagentStart', agent_id: 'a2', agent_type: 'general-purpose' });
    await fire(tracing.hooks, { ...base, hook_event_name: 'SubagentStart', agent_id: 'a1', agent_type: 'general-purpose' });
    tracing.end();
    const tool = (id: string) => cap.spans().find((s) => s.attributes['gen_ai.tool.call.id'] === id)!;
    const agent = (id: string) => cap.spans().find((s) => s.attributes['gen_ai.agent.id'] === id)!;
    expect(parentId(agent('a1'))).toBe(spanId(tool('t1')));
    expect(parentId(agent('a2'))).toBe(spanId(tool('t2')));
  });
});

const usage = (input: number, output: number, cacheRead: number, cacheWrite: number) => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_input_tokens: cacheRead,
  cache_creation_input_tokens: cacheWrite,
});
const assistant = (id: string, model: string, u: ReturnType<typeof usage>, content: unknown[], parent: string | null = null) => ({
  type: 'assistant',
  message: { id, type: 'message', role: 'assistant', model, content, usage: u },
  parent_tool_use_id: parent,
  session_id: base.session_id,
});
const delta = (outputTokens: number) => ({ type: 'stream_event', event: { type: 'message_delta', usage: { output_tokens: outputTokens } }, parent_tool_use_id: null, session_id: base.session_id });
const start = (id: string, model: string, u: ReturnType<typeof usage>) => ({
  type: 'stream_event',
  event: { type: 'message_start', message: { id, model, usage: u } },
  parent_tool_use_id: null,
  session_id: base.session_id,
});
const modelUsage = (input: number, output: number, cacheRead: number, cacheWrite: number, costUSD: number) => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadInputTokens: cacheRead,
  cacheCreationInputTokens: cacheWrite,
  webSearchRequests: 0,
  costUSD,
  contextWindow: 200000,
  maxOutputTokens: 64000,
});
const result = (totalCost: number, models: Record<string, ReturnType<typeof modelUsage>>) => ({
  type: 'result',
  subtype: 'success',
  is_error: false,
  session_id: base.session_id,
  total_cost_usd: totalCost,
  modelUsage: models,
});
const chats = () => cap.spans().filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');

describe('claudeAgentTracing: model calls from the messages', () => {
  it('one span per message id; exact output from message_delta; Claude Code’s cost, not the price table’s', () => {
    const tracing = claudeAgentTracing();
    const previous = configureWrappers({ priceTable: { 'claude-sonnet-4-5': { input: 1, output: 1, cacheRead: 1, cacheWrite: 1, provider: 'anthropic' } } });
    try {
      const u1 = usage(10, 1, 0, 2000);
      tracing.record(start('msg_1', 'claude-sonnet-4-5', u1));
      tracing.record(assistant('msg_1', 'claude-sonnet-4-5', u1, [{ type: 'text', text: 'Reading.' }]));
      tracing.record(assistant('msg_1', 'claude-sonnet-4-5', u1, [{ type: 'tool_use', id: 'toolu_a', name: 'Read', input: {} }]));
      tracing.record(delta(42));
      // Not streamed (no partial messages for it): its output is what the totals leave.
      tracing.record(assistant('msg_2', 'claude-sonnet-4-5', usage(3, 1, 2000, 50), [{ type: 'text', text: 'Done.' }]));
      expect(chats()).toHaveLength(0);
      tracing.record(result(0.5, { 'claude-sonnet-4-5': modelUsage(13, 42 + 8, 2000, 2050, 0.5) }));
    } finally {
      configureWrappers({ priceTable: previous.priceTable });
    }
    const [first, second] = ['msg_1', 'msg_2'].map((id) => chats().find((s) => s.attributes['gen_ai.response.id'] === id)!);
    expect(chats()).toHaveLength(2);
    expect(first.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 2010, 'gen_ai.usage.output_tokens': 42, 'gen_ai.usage.cache_creation.input_tokens': 2000, 'fulcrum.cost.source': 'claude_code' });
    expect(second.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 2053, 'gen_ai.usage.output_tokens': 8, 'gen_ai.usage.cache_read.input_tokens': 2000 });
    // One call lacked its output, so the remainder is its own: exact, not estimated.
    expect(second.attributes['fulcrum.usage.output_estimated']).toBeUndefined();
    // $0.5 split in proportion to the table's (flat $1/M) cost: 2052 and 2061 tokens.
    expect(first.attributes['fulcrum.cost.usd']).toBeCloseTo((0.5 * 2052) / (2052 + 2061), 12);
    expect(second.attributes['fulcrum.cost.usd']).toBeCloseTo((0.5 * 2061) / (2052 + 2061), 12);
    tracing.end();
  });

  it('calls Claude Code counted but never streamed become one unseen-calls span; a second turn counts only its own share', () => {
    const tracing = claudeAgentTracing();
    tracing.record(start('m1', 'claude-sonnet-4-5', usage(5, 1, 0, 100)));
    tracing.record(assistant('m1', 'claude-sonnet-4-5', usage(5, 1, 0, 100), [{ type: 'text', text: 'a' }]));
    tracing.record(delta(7));
    // Totals include a haiku title request the stream never showed.
    tracing.record(result(0.01, { 'claude-sonnet-4-5': modelUsage(5, 7, 0, 100, 0.009), 'claude-haiku-4-5': modelUsage(100, 5, 0, 0, 0.001) }));
    const unseen = chats().find((s) => s.attributes['fulcrum.llm.unseen_calls'] === true)!;
    expect(unseen.attributes).toMatchObject({ 'gen_ai.request.model': 'claude-haiku-4-5', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 5, 'fulcrum.cost.source': 'claude_code' });
    expect(unseen.attributes['fulcrum.cost.usd']).toBeCloseTo(0.001, 12);
    cap.exporter.reset();
    // Turn two: modelUsage is cumulative over the session; only the difference is this turn's.
    tracing.record(start('m2', 'claude-sonnet-4-5', usage(2, 1, 100, 10)));
    tracing.record(assistant('m2', 'claude-sonnet-4-5', usage(2, 1, 100, 10), [{ type: 'text', text: 'b' }]));
    tracing.record(delta(4));
    tracing.record(result(0.013, { 'claude-sonnet-4-5': modelUsage(7, 11, 100, 110, 0.012), 'claude-haiku-4-5': modelUsage(100, 5, 0, 0, 0.001) }));
    expect(chats()).toHaveLength(1);
    expect(chats()[0].attributes).toMatchObject({ 'gen_ai.response.id': 'm2', 'gen_ai.usage.output_tokens': 4 });
    expect(chats()[0].attributes['fulcrum.cost.usd']).toBeCloseTo(0.003, 12);
    tracing.end();
  });

  it('a model the price table does not know: Claude Code’s cost split by Anthropic’s token weights', () => {
    const tracing = claudeAgentTracing();
    tracing.record(start('x1', 'claude-future-9', usage(100, 1, 0, 0)));
    tracing.record(assistant('x1', 'claude-future-9', usage(100, 1, 0, 0), [{ type: 'text', text: 'a' }]));
    tracing.record(delta(20));
    tracing.record(start('x2', 'claude-future-9', usage(0, 1, 1000, 0)));
    tracing.record(assistant('x2', 'claude-future-9', usage(0, 1, 1000, 0), [{ type: 'text', text: 'b' }]));
    tracing.record(delta(0));
    tracing.record(result(0.02, { 'claude-future-9': modelUsage(100, 20, 1000, 0, 0.02) }));
    // Weights: 100 input + 20 output × 5 = 200; 1000 cache reads × 0.1 = 100.
    const cost = (id: string) => chats().find((s) => s.attributes['gen_ai.response.id'] === id)!.attributes['fulcrum.cost.usd'];
    expect(cost('x1')).toBeCloseTo((0.02 * 200) / 300, 12);
    expect(cost('x2')).toBeCloseTo((0.02 * 100) / 300, 12);
    tracing.end();
  });

  it('a query that ends without a result: the calls so far, priced by the table, output unknown when not streamed', () => {
    const tracing = claudeAgentTracing();
    tracing.record(assistant('y1', 'claude-sonnet-4-5', usage(10, 1, 0, 0), [{ type: 'text', text: 'a' }]));
    tracing.end();
    const [chat] = chats();
    expect(chat.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 10, 'fulcrum.cost.source': 'price_table' });
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(chat.attributes['fulcrum.cost.usd']).toBeCloseTo((10 * 3) / 1e6, 15);
    expect(cap.spans().map((s) => s.name).sort()).toEqual(['chat claude-sonnet-4-5', 'invoke_agent claude-agent']);
  });

  it('malformed messages and hook inputs are ignored without a throw', async () => {
    const tracing = claudeAgentTracing();
    for (const m of [null, 7, 'x', {}, { type: 'assistant' }, { type: 'assistant', session_id: 's', message: { id: 1 } }, { type: 'result', session_id: 's', modelUsage: { m: null } }]) {
      expect(() => tracing.record(m)).not.toThrow();
    }
    const odd = { hook_event_name: 'PreToolUse', session_id: 's', tool_name: 42, tool_use_id: {} };
    expect(await tracing.hooks.PreToolUse[0].hooks[0](odd, undefined, { signal })).toEqual({ continue: true });
    tracing.end();
    expect(chats()).toHaveLength(0);
  });
});
