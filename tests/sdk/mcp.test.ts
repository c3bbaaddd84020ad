import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configureWrappers, instrumentMcpClient, traceMcpCall, traceMcpToolHandler, traceToolCall, withSession } from '../../packages/sdk/src/index.js';
import { fulcrumCounts } from './mcp-counts.js';
import { captureSpans, parentId, spanId } from './helpers.js';
import { FAKE_SECRETS } from './secrets.js';

const cap = captureSpans();
let client: Client;
let server: McpServer;
/** A client without instrumentation, to its own copy of the server. */
let raw: Client;
let rawServer: McpServer;

/** The `_meta` the server received, as the 'meta' tool answers it. */
const metaOf = (result: unknown): Record<string, unknown> => JSON.parse((result as { content: Array<{ text: string }> }).content[0].text) as Record<string, unknown>;

function calcServer(): McpServer {
  const server = new McpServer({ name: 'calc-server', version: '1.0.0' });
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
  // Answers with the request's _meta, so tests see what reached the server. It uses no Fulcrum helper.
  server.registerTool('meta', { description: 'echoes _meta' }, async (extra) => ({ content: [{ type: 'text', text: JSON.stringify(extra._meta ?? null) }] }));
  server.registerTool(
    'traced-add',
    { description: 'adds, traced', inputSchema: { a: z.number(), b: z.number() } },
    traceMcpToolHandler({ tool: 'traced-add', server: 'calc-server' }, async ({ a, b }, extra) => ({
      content: [{ type: 'text', text: `${a + b} ${JSON.stringify(extra._meta ?? null)}` }],
    })),
  );
  return server;
}

async function connect(to: McpServer): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const c = new Client({ name: 'test-client', version: '1.0.0' });
  await Promise.all([to.connect(serverTransport), c.connect(clientTransport)]);
  return c;
}

beforeAll(async () => {
  server = calcServer();
  client = instrumentMcpClient(await connect(server));
  rawServer = calcServer();
  raw = await connect(rawServer);
});

afterAll(async () => {
  await Promise.all([client.close(), raw.close()]);
  await Promise.all([server.close(), rawServer.close()]);
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

const W3C_TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
const withoutSession = () => cap.spans().filter((s) => s.attributes['fulcrum.span.type'] !== 'session');

describe('trace context in params._meta', () => {
  it('carries the client span as a W3C traceparent and the session as baggage; a server without the helper answers as before', async () => {
    const own = { name: 'meta', arguments: {}, _meta: { 'acme.dev/tenant': 't-1' } };
    const result = await withSession({ sessionId: 'mcp-sess' }, () => client.callTool(own));
    const meta = metaOf(result);
    const span = cap.one('tools/call meta');
    expect(meta.traceparent).toMatch(W3C_TRACEPARENT);
    expect(meta.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    expect(meta.baggage).toBe('gen_ai.conversation.id=mcp-sess');
    // The caller's own _meta reaches the server too, and the caller's object is left as it was.
    expect(meta['acme.dev/tenant']).toBe('t-1');
    expect(own._meta).toEqual({ 'acme.dev/tenant': 't-1' });
    expect(span.attributes['fulcrum.success']).toBe(true);
  });

  it('resources/read and prompts/get carry it too', async () => {
    // The server's answers do not show _meta; the requests are seen on the transport.
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const sent: unknown[] = [];
    const send = clientTransport.send.bind(clientTransport);
    clientTransport.send = (message, options) => (sent.push(message), send(message, options));
    const other = calcServer();
    const c = instrumentMcpClient(new Client({ name: 'test-client', version: '1.0.0' }));
    await Promise.all([other.connect(serverTransport), c.connect(clientTransport)]);
    await c.readResource({ uri: 'file:///readme.md' });
    await c.getPrompt({ name: 'review', arguments: { file: 'a.ts' } });
    await c.close();
    await other.close();
    const byMethod = (m: string) => sent.find((x) => (x as { method?: string }).method === m) as { params: { _meta: { traceparent: string } } };
    expect(byMethod('resources/read').params._meta.traceparent).toBe(`00-${cap.one('resources/read file:///readme.md').spanContext().traceId}-${spanId(cap.one('resources/read file:///readme.md'))}-01`);
    expect(byMethod('prompts/get').params._meta.traceparent).toBe(`00-${cap.one('prompts/get review').spanContext().traceId}-${spanId(cap.one('prompts/get review'))}-01`);
  });

  it('a server handler traced with traceMcpToolHandler continues the trace in a SERVER span under the client span', async () => {
    const result = await withSession({ sessionId: 'mcp-sess' }, () => client.callTool({ name: 'traced-add', arguments: { a: 20, b: 22 } }));
    expect((result.content as Array<{ text: string }>)[0].text.startsWith('42 ')).toBe(true);
    const spans = cap.spans().filter((s) => s.name === 'tools/call traced-add');
    expect(spans.map((s) => s.kind).sort()).toEqual([SpanKind.SERVER, SpanKind.CLIENT].sort());
    const c = spans.find((s) => s.kind === SpanKind.CLIENT)!;
    const sv = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(sv.spanContext().traceId).toBe(c.spanContext().traceId);
    expect(parentId(sv)).toBe(spanId(c));
    expect(sv.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'traced-add',
      'fulcrum.mcp.server': 'calc-server',
      'fulcrum.span.type': 'other',
      'fulcrum.success': true,
      'gen_ai.conversation.id': 'mcp-sess',
    });
    expect(sv.attributes['jsonrpc.request.id']).toMatch(/^\d+$/);
    // Counted once: the client span is the call; the server span continues it.
    expect(fulcrumCounts(withoutSession())).toMatchObject({ toolCalls: 1, mcp: 1 });
  });
});

describe('one MCP call is one span', () => {
  it('traceToolCall around an instrumented callTool: the tool span is the MCP call, and the server sees it as parent', async () => {
    const args = { a: 2, b: 3 };
    const result = await withSession({ sessionId: 's-nest' }, () =>
      traceToolCall({ name: 'mcp__calc__add', id: 'toolu_9', args }, () => client.callTool({ name: 'add', arguments: args })),
    );
    expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    const spans = withoutSession();
    expect(spans.map((s) => s.name)).toEqual(['execute_tool mcp__calc__add']);
    expect(spans[0].attributes).toMatchObject({
      'gen_ai.tool.name': 'mcp__calc__add',
      'gen_ai.tool.call.id': 'toolu_9',
      'mcp.method.name': 'tools/call',
      'fulcrum.mcp.server': 'calc-server',
      'fulcrum.span.type': 'mcp',
      'fulcrum.success': true,
    });
    expect(fulcrumCounts(spans)).toMatchObject({ toolCalls: 1, mcp: 1 });

    cap.exporter.reset();
    const echoed = await traceToolCall({ name: 'server_meta', args: {} }, () => client.callTool({ name: 'meta', arguments: {} }));
    const tool = cap.one('execute_tool server_meta');
    expect(cap.spans()).toHaveLength(1);
    expect(metaOf(echoed).traceparent).toBe(`00-${tool.spanContext().traceId}-${spanId(tool)}-01`);
  });

  it('traceMcpCall around traceToolCall (the other order): the MCP span is the tool call', async () => {
    const args = { a: 4, b: 5 };
    const result = await traceMcpCall({ server: 'calc-server', tool: 'add', args }, () =>
      traceToolCall({ name: 'add', id: 'toolu_10', args }, () => raw.callTool({ name: 'add', arguments: args })),
    );
    expect(result.content).toEqual([{ type: 'text', text: '9' }]);
    expect(cap.spans().map((s) => s.name)).toEqual(['tools/call add']);
    expect(cap.one('tools/call add').attributes).toMatchObject({ 'gen_ai.tool.call.id': 'toolu_10', 'fulcrum.span.type': 'mcp', 'fulcrum.success': true });
    expect(fulcrumCounts(cap.spans())).toMatchObject({ toolCalls: 1, mcp: 1 });
  });

  it('both orders without deferred tool attributes (a tracer of your own)', async () => {
    const previous = configureWrappers({ deferToolAttributes: false });
    try {
      const args = { a: 1, b: 2 };
      await traceToolCall({ name: 'mcp__calc__add', id: 'toolu_11', args }, () => client.callTool({ name: 'add', arguments: args }));
      await traceMcpCall({ tool: 'add', args }, () => traceToolCall({ name: 'add', id: 'toolu_12', args }, () => raw.callTool({ name: 'add', arguments: args })));
    } finally {
      configureWrappers({ deferToolAttributes: previous.deferToolAttributes });
    }
    expect(cap.spans().map((s) => s.name)).toEqual(['execute_tool mcp__calc__add', 'tools/call add']);
    expect(fulcrumCounts(cap.spans())).toMatchObject({ toolCalls: 2, mcp: 2 });
  });

  it('traceMcpCall around an instrumented callTool: one span', async () => {
    await traceMcpCall({ server: 'calc-server', tool: 'add', args: { a: 1, b: 1 } }, () => client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }));
    expect(cap.spans().map((s) => s.name)).toEqual(['tools/call add']);
  });

  it('a tool that makes two other MCP calls keeps its own span, and each call gets one', async () => {
    await traceToolCall({ name: 'workflow', args: { steps: 2 } }, async () => {
      await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
      await client.callTool({ name: 'meta', arguments: {} });
    });
    const workflow = cap.one('execute_tool workflow');
    expect(cap.spans().map((s) => s.name).sort()).toEqual(['execute_tool workflow', 'tools/call add', 'tools/call meta']);
    expect(parentId(cap.one('tools/call add'))).toBe(spanId(workflow));
    expect(workflow.attributes['fulcrum.span.type']).toBe('tool');
    expect(fulcrumCounts(cap.spans())).toMatchObject({ toolCalls: 3, mcp: 2 });
  });
});
