import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { claudeAgentHooks, type ClaudeHookInput, type ClaudeHooks } from '../../packages/sdk/src/index.js';
import { captureSpans, parentId, spanId } from './helpers.js';
import { FAKE_SECRETS } from './secrets.js';

const cap = captureSpans();
const base = { session_id: 'a1b2c3', transcript_path: '/home/u/.claude/projects/x/a1b2c3.jsonl', cwd: '/repo', permission_mode: 'default' };
const signal = new AbortController().signal;

async function fire(hooks: ClaudeHooks, input: ClaudeHookInput): Promise<void> {
  const matchers = hooks[input.hook_event_name];
  for (const m of matchers) for (const h of m.hooks) expect(await h(input, 'tool_use_id' in input ? input.tool_use_id : undefined, { signal })).toEqual({ continue: true });
}

describe('claudeAgentHooks', () => {
  it('has the Agent SDK hooks shape', () => {
    const { hooks } = claudeAgentHooks();
    for (const event of ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'SubagentStart', 'SubagentStop', 'SessionStart', 'SessionEnd'] as const) {
      expect(hooks[event]).toHaveLength(1);
      expect(typeof hooks[event][0].hooks[0]).toBe('function');
    }
  });

  it('traces a session: tools, a failing tool, a subagent under its Task call', async () => {
    const { hooks } = claudeAgentHooks({ agentName: 'coder', useCase: 'feature' });
    await fire(hooks, { ...base, hook_event_name: 'SessionStart', source: 'startup' });
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/repo/src/app.ts', offset: 1, limit: 40 }, tool_use_id: 'toolu_1' });
    await fire(hooks, { ...base, hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: '/repo/src/app.ts' }, tool_response: { type: 'text', file: { filePath: '/repo/src/app.ts', content: 'export {}\n' } }, tool_use_id: 'toolu_1' });
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: `GITHUB_TOKEN=${FAKE_SECRETS.github} npm test` }, tool_use_id: 'toolu_2' });
    await fire(hooks, { ...base, hook_event_name: 'PostToolUseFailure', tool_name: 'Bash', tool_input: {}, tool_use_id: 'toolu_2', error: 'Exit code 1' });
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Task', tool_input: { subagent_type: 'Explore', prompt: 'find it' }, tool_use_id: 'toolu_3' });
    await fire(hooks, { ...base, hook_event_name: 'SubagentStart', agent_id: 'agent-9', agent_type: 'Explore' });
    await fire(hooks, { ...base, hook_event_name: 'PreToolUse', tool_name: 'Grep', tool_input: { pattern: 'main', path: 'src' }, tool_use_id: 'toolu_4' });
    await fire(hooks, { ...base, hook_event_name: 'PostToolUse', tool_name: 'Grep', tool_input: {}, tool_response: 'src/app.ts', tool_use_id: 'toolu_4' });
    await fire(hooks, { ...base, hook_event_name: 'SubagentStop', agent_id: 'agent-9', stop_hook_active: false });
    await fire(hooks, { ...base, hook_event_name: 'PostToolUse', tool_name: 'Task', tool_input: {}, tool_response: { content: 'found' }, tool_use_id: 'toolu_3' });
    await fire(hooks, { ...base, hook_event_name: 'SessionEnd', reason: 'other' });

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
