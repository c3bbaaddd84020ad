/**
 * The Claude Agent SDK adapter against the real @anthropic-ai/claude-agent-sdk
 * types: `npx tsc -p tsconfig.tests.json` (strict) compiles this file, so a
 * change in the SDK's hook or message types breaks CI here. The README's
 * example is kept verbatim below (a test compares the two) and runs against the
 * real Claude Code binary and a fake Anthropic API.
 */
import { query, type HookCallbackMatcher, type HookEvent, type Options, type SDKMessage, type SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { claudeAgentTracing } from '../../packages/sdk/src/index.js';
import { startFakeAnthropic, type FakeAnthropic } from './claude-agent-fake-api.js';
import { captureSpans, parentId, spanId } from './helpers.js';

// README example: begin
async function readmeExample(prompt: string, cwd: string) {
  const tracing = claudeAgentTracing({ agentName: 'coder' });
  for await (const message of tracing.observe(query({ prompt, options: tracing.options({ cwd }) }))) {
    if (message.type === 'result') console.log(message.total_cost_usd);
  }
}
// README example: end

// Compile-time checks (strictFunctionTypes): what the adapter hands to query() is what query() accepts. Never called.
function compileTimeChecks() {
  const tracing = claudeAgentTracing();
  const asHooks: Options['hooks'] = tracing.hooks;
  const asMatchers: HookCallbackMatcher[] | undefined = tracing.hooks.PreToolUse;
  const own: HookCallbackMatcher = { matcher: 'Bash', hooks: [async (input) => ({ continue: input.hook_event_name === 'PreToolUse' })] };
  const hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>> = { PreToolUse: [own], Stop: [own] };
  const merged: Options = tracing.options({ cwd: '/repo', maxTurns: 3, hooks, stderr: (line) => line.length });
  const bare: Options = tracing.options();
  const observed: AsyncGenerator<SDKMessage, void, undefined> = tracing.observe(query({ prompt: 'x', options: bare }));
  // Inline, the literal is typed by query()'s Options: literals stay literal, callbacks get their parameter types...
  const inline = query({ prompt: 'x', options: tracing.options({ permissionMode: 'bypassPermissions', allowedTools: ['Read'], stderr: (line) => line.trim() }) });
  // ...and a value Options does not allow is an error.
  // @ts-expect-error: 'sometimes' is no PermissionMode
  const wrong = query({ prompt: 'x', options: tracing.options({ permissionMode: 'sometimes' }) });
  return { asHooks, asMatchers, merged, observed, inline, wrong };
}
export { compileTimeChecks, readmeExample };

const cap = captureSpans();
let api: FakeAnthropic;
let dir: string;
const ENV_KEYS = ['HOME', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC', 'DISABLE_AUTOUPDATER'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
const usage = { input_tokens: 9, output_tokens: 14, cache_read_input_tokens: 1200, cache_creation_input_tokens: 300 };

beforeAll(async () => {
  api = await startFakeAnthropic([{ name: 'main', steps: [{ content: [{ text: 'All tests pass.' }], usage }] }]);
  dir = mkdtempSync(join(inject('tempRoot') ?? tmpdir(), 'claude-readme-'));
  mkdirSync(join(dir, 'home'));
  mkdirSync(join(dir, 'repo'));
  // The example passes no env: Claude Code inherits this process's, pointed at the fake API and a throwaway HOME.
  Object.assign(process.env, {
    HOME: join(dir, 'home'),
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  });
});

afterAll(async () => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await api?.close();
});

describe('the README example', () => {
  it('is the README text verbatim', () => {
    const section = (text: string): string => {
      const start = text.indexOf('### Claude Agent SDK');
      const block = /```ts\n([\s\S]*?)```/.exec(text.slice(start));
      return block ? block[1] : '';
    };
    const readme = section(readFileSync(fileURLToPath(new URL('../../packages/sdk/README.md', import.meta.url)), 'utf8'));
    const here = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const body = /\/\/ README example: begin\n[^\n]*\n([\s\S]*?)\n\}\n\/\/ README example: end/.exec(here)![1];
    const code = readme
      .split('\n')
      .filter((line) => !line.startsWith('import ') && !line.startsWith('//'))
      .join('\n')
      .trim();
    expect(code).toBe(body.replace(/^ {2}/gm, '').trim());
  });

  it('runs against the real Claude Code: one session, one model call with the API reported tokens and Claude Code cost', async () => {
    const printed: unknown[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((value: unknown) => void printed.push(value));
    try {
      await readmeExample('Fix the failing test', join(dir, 'repo'));
    } finally {
      log.mockRestore();
    }
    const session = cap.one('invoke_agent coder');
    const chats = cap.spans().filter((s) => s.name.startsWith('chat '));
    expect(chats).toHaveLength(1);
    const [chat] = chats;
    const served = api.served.filter((s) => s.script === 'main');
    expect(served).toHaveLength(1);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': served[0].model,
      'gen_ai.response.id': served[0].messageId,
      'gen_ai.usage.input_tokens': 9 + 1200 + 300,
      'gen_ai.usage.output_tokens': 14,
      'gen_ai.usage.cache_read.input_tokens': 1200,
      'gen_ai.usage.cache_creation.input_tokens': 300,
      'fulcrum.cost.source': 'claude_code',
      'gen_ai.conversation.id': session.attributes['gen_ai.conversation.id'],
    });
    // The dollar figure Claude Code printed through the example is the span's.
    expect(printed).toHaveLength(1);
    expect(chat.attributes['fulcrum.cost.usd']).toBeCloseTo(printed[0] as number, 12);
    // Claude Code 2.1.197's default model, at $5 / $25 / $0.50 / $6.25 per million input, output, cache-read, cache-write tokens.
    expect(served[0].model).toBe('claude-opus-4-8');
    expect(printed[0]).toBeCloseTo((9 * 5 + 14 * 25 + 1200 * 0.5 + 300 * 6.25) / 1e6, 12);
    expect(chat.attributes['fulcrum.usage.output_estimated']).toBeUndefined();
    expect(parentId(chat)).toBe(spanId(session));
    expect(session.attributes['gen_ai.conversation.id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** The result message type the example reads is the SDK's own. */
export type ReadmeResult = Extract<SDKMessage, { type: 'result' }> extends SDKResultMessage ? true : never;
