/**
 * End to end: a scripted harness session traced with the SDK, exported over
 * OTLP/HTTP to the real ingest server (port 0, embedded chDB), read back from
 * the spans table.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { startServer, type RunningServer } from '@fulcrum/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentMcpClient, startTracing, traceModelCall, traceSkill, traceSubagent, traceToolCall, withSession } from '../../packages/sdk/src/index.js';
import { tempDataDir } from '../helpers/store.js';
import { FAKE_SECRETS } from './secrets.js';

type Row = Record<string, any>;
let server: RunningServer;
let rows: Row[];
const SESSION = 'e2e-session-1';

async function scriptedSession(client: Client): Promise<void> {
  await withSession({ sessionId: SESSION, agentName: 'coder', useCase: 'bugfix', provider: 'anthropic', model: 'claude-sonnet-4-5' }, async () => {
    await traceModelCall({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, async () => ({
      id: 'msg_01',
      model: 'claude-sonnet-4-5-20250929',
      usage: { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 500 },
    }));
    traceToolCall({ name: 'Read', id: 'toolu_read', args: { file_path: '/repo/src/app.ts', offset: 10, limit: 40 } }, () => 'const x = 1;\n'.repeat(40));
    traceToolCall({ name: 'Grep', id: 'toolu_grep', args: { pattern: 'TODO\\(', path: 'src', output_mode: 'content' } }, () => 'src/app.ts:12: // TODO(fix)');
    traceToolCall({ name: 'Edit', id: 'toolu_edit', args: { file_path: '/repo/src/app.ts', old_string: 'a\nb\nc', new_string: 'a\nB\nB2\nc' } }, () => 'ok');
    try {
      await traceToolCall({ name: 'Bash', id: 'toolu_bash', args: { command: `GITHUB_TOKEN=${FAKE_SECRETS.github} npm test` } }, async () => {
        throw new Error(`exit 1 (token ${FAKE_SECRETS.github})`);
      });
    } catch {
      // the agent sees the failure and goes on
    }
    await traceSkill('changelog', async () => 'done');
    const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(sum.content).toEqual([{ type: 'text', text: '42' }]);
    await traceSubagent({ name: 'explorer', type: 'Explore', agentId: 'agent-7' }, async () => {
      await traceModelCall({ provider: 'openai', model: 'gpt-5-mini' }, async () => ({
        model: 'gpt-5-mini-2025-08-07',
        usage: { prompt_tokens: 4000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 3000 } },
      }));
      traceToolCall({ name: 'Glob', id: 'toolu_glob', args: { pattern: '**/*.test.ts' } }, () => ['a.test.ts']);
    });
  });
}

async function readRows(expected: number): Promise<Row[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const rs = await server.app.store.client.query({
      query: 'SELECT * EXCEPT (Version) FROM spans FINAL WHERE SessionId = {s:String} ORDER BY Timestamp, SpanId',
      query_params: { s: SESSION },
      format: 'JSONEachRow',
    });
    const got = await rs.json<Row>();
    if (got.length >= expected) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('rows did not arrive');
}

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir('fulcrum-sdk-e2e-') } });
  const mcp = new McpServer({ name: 'calc', version: '1.0.0' });
  mcp.registerTool('add', { description: 'adds', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
  const [ct, st] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await Promise.all([mcp.connect(st), client.connect(ct)]);
  instrumentMcpClient(client);

  const tracing = startTracing({ endpoint: server.url, env: {}, team: 'payments', repository: 'acme/api', harness: 'sdk-e2e', serviceName: 'e2e-agent' });
  await scriptedSession(client);
  await tracing.shutdown();
  await client.close();
  await mcp.close();
  rows = await readRows(11);
}, 120_000);

afterAll(async () => server?.close());

const byName = (name: string): Row => {
  const found = rows.filter((r) => r.SpanName === name);
  if (found.length !== 1) throw new Error(`${name}: ${found.length} rows (${rows.map((r) => r.SpanName).join(', ')})`);
  return found[0];
};

describe('SDK → OTLP/HTTP → ingest → spans table', () => {
  it('stores every span of the session with its type', () => {
    expect(rows.map((r) => [r.SpanName, r.SpanType]).sort()).toEqual(
      [
        ['chat claude-sonnet-4-5', 'llm'],
        ['chat gpt-5-mini', 'llm'],
        ['execute_tool Bash', 'tool'],
        ['execute_tool Edit', 'tool'],
        ['execute_tool Glob', 'tool'],
        ['execute_tool Grep', 'tool'],
        ['execute_tool Read', 'tool'],
        ['invoke_agent coder', 'session'],
        ['invoke_agent explorer', 'agent'],
        ['skill changelog', 'skill'],
        ['tools/call add', 'mcp'],
      ].sort(),
    );
    for (const r of rows) expect(r).toMatchObject({ Team: 'payments', Repository: 'acme/api', Harness: 'sdk-e2e', ServiceName: 'e2e-agent', SessionId: SESSION });
    expect(new Set(rows.map((r) => r.TraceId)).size).toBe(1);
  });

  it('keeps the parent/child structure', () => {
    const session = byName('invoke_agent coder');
    const sub = byName('invoke_agent explorer');
    expect(session.ParentSpanId).toBe('');
    for (const name of ['chat claude-sonnet-4-5', 'execute_tool Read', 'execute_tool Grep', 'execute_tool Edit', 'execute_tool Bash', 'skill changelog', 'tools/call add', 'invoke_agent explorer']) {
      expect(byName(name).ParentSpanId, name).toBe(session.SpanId);
    }
    expect(byName('chat gpt-5-mini').ParentSpanId).toBe(sub.SpanId);
    expect(byName('execute_tool Glob').ParentSpanId).toBe(sub.SpanId);
    expect(sub).toMatchObject({ AgentName: 'explorer' });
    expect(session).toMatchObject({ AgentName: 'coder', UseCase: 'bugfix' });
  });

  it('stores tokens and cost of model calls', () => {
    const sonnet = byName('chat claude-sonnet-4-5');
    // The SDK sends the conventions' input total (11,700, cache included); the stored column is the uncached 1,200.
    expect(sonnet).toMatchObject({ InputTokens: 1_200, OutputTokens: 300, CacheReadTokens: 10_000, CacheWriteTokens: 500, Priced: true });
    // 1200*3 + 300*15 + 10000*0.3 + 500*3.75 = 12975 micro-dollars
    expect(sonnet.CostUsd).toBeCloseTo(0.012975, 9);
    expect(sonnet.Model).toMatch(/^claude-sonnet-4-5/);
    const mini = byName('chat gpt-5-mini');
    expect(mini).toMatchObject({ InputTokens: 1000, OutputTokens: 200, CacheReadTokens: 3000, Priced: true });
    // 1000*0.25 + 200*2 + 3000*0.025 = 725 micro-dollars
    expect(mini.CostUsd).toBeCloseTo(0.000725, 9);
  });

  it('stores what each tool touched', () => {
    expect(byName('execute_tool Read')).toMatchObject({ ToolName: 'Read', ToolCallId: 'toolu_read', FilePath: '/repo/src/app.ts', ReadOffset: 10, ReadLimit: 40, ResultSize: 13 * 40, Success: true });
    expect(byName('execute_tool Grep')).toMatchObject({ SearchPattern: 'TODO\\(', FilePath: 'src' });
    expect(byName('execute_tool Edit')).toMatchObject({ FilePath: '/repo/src/app.ts', LinesAdded: 2, LinesRemoved: 1 });
    expect(byName('execute_tool Glob')).toMatchObject({ SearchPattern: '**/*.test.ts' });
    for (const name of ['execute_tool Read', 'execute_tool Grep', 'execute_tool Edit']) expect(byName(name).ArgsHash).toMatch(/^[0-9a-f]{16}$/);
    const bash = byName('execute_tool Bash');
    expect(bash).toMatchObject({ Command: 'GITHUB_TOKEN=[REDACTED:github_token] npm test', Success: false, ErrorType: 'Error', StatusCode: 'Error' });
  });

  it('stores skill and MCP spans', () => {
    expect(byName('skill changelog')).toMatchObject({ SkillName: 'changelog' });
    expect(byName('tools/call add')).toMatchObject({ McpServer: 'calc', ToolName: 'add', Success: true });
  });

  it('no secret reaches the store', () => {
    expect(JSON.stringify(rows)).not.toContain(FAKE_SECRETS.github);
  });
});
