import { SpanStatusCode } from '@opentelemetry/api';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentMcpClient, withSession } from '../../packages/sdk/src/index.js';
import { captureSpans, parentId, spanId } from './helpers.js';
import { FAKE_SECRETS } from './secrets.js';

const cap = captureSpans();
let client: Client;
let server: McpServer;

beforeAll(async () => {
  server = new McpServer({ name: 'calc-server', version: '1.0.0' });
  server.registerTool('add', { description: 'adds', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  server.registerTool('fail', { description: 'fails', inputSchema: { why: z.string() } }, async ({ why }) => ({
    isError: true,
    content: [{ type: 'text', text: `failed: ${why}` }],
  }));
  server.registerResource('readme', 'file:///readme.md', { mimeType: 'text/markdown' }, async (uri) => ({
    contents: [{ uri: uri.href, text: '# Readme' }],
  }));
  server.registerPrompt('review', { argsSchema: { file: z.string() } }, ({ file }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Review ${file}` } }],
  }));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'test-client', version: '1.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  instrumentMcpClient(client);
});

afterAll(async () => {
  await client.close();
  await server.close();
});

describe('instrumentMcpClient with a real McpServer', () => {
  it('tools/call: result unchanged, MCP attributes, server name from initialisation', async () => {
    const result = await withSession({ sessionId: 'mcp-sess' }, () => client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }));
    expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    const s = cap.one('tools/call add');
    expect(s.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'add',
      'fulcrum.mcp.server': 'calc-server',
      'fulcrum.span.type': 'mcp',
      'fulcrum.tool.args': '{"a":2,"b":3}',
      'fulcrum.tool.args_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
      'fulcrum.tool.result_size': JSON.stringify(result).length,
      'fulcrum.success': true,
      'gen_ai.conversation.id': 'mcp-sess',
    });
    expect(s.kind).toBe(2);
    expect(parentId(s)).toBe(spanId(cap.one('invoke_agent')));
  });

  it('isError result → error.type=tool_error, still returned unchanged', async () => {
    const result = await client.callTool({ name: 'fail', arguments: { why: 'nope' } });
    expect(result.isError).toBe(true);
    const s = cap.one('tools/call fail');
    expect(s.attributes['error.type']).toBe('tool_error');
    expect(s.attributes['fulcrum.success']).toBe(false);
    expect(s.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('resources/read and prompts/get', async () => {
    const res = await client.readResource({ uri: 'file:///readme.md' });
    expect(res.contents[0]).toMatchObject({ text: '# Readme' });
    const prompt = await client.getPrompt({ name: 'review', arguments: { file: 'a.ts' } });
    expect(prompt.messages).toHaveLength(1);
    expect(cap.one('resources/read file:///readme.md').attributes).toMatchObject({
      'mcp.method.name': 'resources/read',
      'mcp.resource.uri': 'file:///readme.md',
      'fulcrum.mcp.server': 'calc-server',
      'fulcrum.span.type': 'mcp',
    });
    const p = cap.one('prompts/get review').attributes;
    expect(p).toMatchObject({ 'mcp.method.name': 'prompts/get', 'gen_ai.prompt.name': 'review', 'fulcrum.mcp.server': 'calc-server' });
    expect(p['gen_ai.operation.name']).toBeUndefined();
  });

  it('a protocol error (unknown prompt) is recorded and rethrown', async () => {
    const err = await client.getPrompt({ name: 'missing' }).then(
      (r) => r,
      (e: unknown) => e,
    );
    const s = cap.one('prompts/get missing');
    // The pinned SDK (1.32) rejects an unknown prompt with an McpError (an unknown tool is now an isError result).
    expect(err).toBeInstanceOf(Error);
    expect(s.attributes['error.type']).toBe('McpError');
    expect(s.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('secrets in MCP arguments are redacted', async () => {
    await client.callTool({ name: 'fail', arguments: { why: `token ${FAKE_SECRETS.github}` } });
    const json = JSON.stringify(cap.spans().map((s) => [s.attributes, s.events, s.status]));
    expect(json).not.toContain(FAKE_SECRETS.github);
  });

  it('instrumenting twice does not double the spans; an explicit server name wins', async () => {
    instrumentMcpClient(client, { serverName: 'other' });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    expect(cap.spans()).toHaveLength(1);
    const c2 = { callTool: async (_p: { name: string }) => ({ content: [] }), readResource: async () => ({}), getPrompt: async () => ({}) };
    instrumentMcpClient(c2, { serverName: 'named' });
    await c2.callTool({ name: 'x' });
    expect(cap.spans()[1].attributes['fulcrum.mcp.server']).toBe('named');
  });
});
