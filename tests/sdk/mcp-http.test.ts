/**
 * Trace context across a real transport: an McpServer behind the SDK's
 * Streamable HTTP server transport on a local port, and a Client over
 * Streamable HTTP. Nothing but the request's `params._meta` links the two
 * sides (the server handles each request in its own HTTP request context), so
 * a server span under the client span proves the propagation.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentMcpClient, traceMcpToolHandler, traceToolCall, withSession } from '../../packages/sdk/src/index.js';
import { fulcrumCounts } from './mcp-counts.js';
import { captureSpans, parentId, spanId } from './helpers.js';

const cap = captureSpans();
let http: Server;
let url: URL;

/** A stateless server: a fresh McpServer and transport per HTTP request, as the SDK's examples do. */
function mcpServer(): McpServer {
  const server = new McpServer({ name: 'files-server', version: '1.0.0' });
  server.registerTool(
    'count_lines',
    { description: 'counts lines', inputSchema: { text: z.string() } },
    traceMcpToolHandler({ tool: 'count_lines', server: 'files-server' }, async ({ text }) => {
      // Work the server traces itself nests under its server span.
      const lines = await traceToolCall({ name: 'split', args: { text } }, async () => text.split('\n').length);
      return { content: [{ type: 'text', text: String(lines) }] };
    }),
  );
  return server;
}

beforeAll(async () => {
  http = createServer((req, res) => {
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void transport.close().then(() => server.close()));
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

async function client(options: { propagate?: boolean } = {}): Promise<Client> {
  const c = new Client({ name: 'http-client', version: '1.0.0' });
  await c.connect(new StreamableHTTPClientTransport(url));
  return instrumentMcpClient(c, options);
}

const kind = (spans: ReadableSpan[], k: SpanKind, name: string): ReadableSpan => {
  const found = spans.filter((s) => s.kind === k && s.name === name);
  if (found.length !== 1) throw new Error(`expected one ${SpanKind[k]} span ${name}, got ${found.length}`);
  return found[0];
};

describe('MCP over Streamable HTTP', () => {
  it('the server span continues the client span: same trace, parent = client span, session from baggage; its own work under it', async () => {
    const c = await client();
    const result = await withSession({ sessionId: 'http-sess' }, () => c.callTool({ name: 'count_lines', arguments: { text: 'a\nb\nc' } }));
    await c.close();
    expect(result.content).toEqual([{ type: 'text', text: '3' }]);
    const spans = cap.spans();
    const clientSpan = kind(spans, SpanKind.CLIENT, 'tools/call count_lines');
    const serverSpan = kind(spans, SpanKind.SERVER, 'tools/call count_lines');
    expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
    expect(parentId(serverSpan)).toBe(spanId(clientSpan));
    expect(serverSpan.attributes).toMatchObject({ 'gen_ai.conversation.id': 'http-sess', 'fulcrum.span.type': 'other', 'fulcrum.mcp.server': 'files-server' });
    expect(parentId(cap.one('execute_tool split'))).toBe(spanId(serverSpan));
    expect(clientSpan.attributes).toMatchObject({ 'fulcrum.mcp.server': 'files-server', 'fulcrum.span.type': 'mcp', 'gen_ai.conversation.id': 'http-sess' });
    // The call counts once; the server's own tool call is a call of its own.
    expect(fulcrumCounts(spans.filter((s) => s.attributes['fulcrum.span.type'] !== 'session'))).toMatchObject({ toolCalls: 2, mcp: 1 });
  });

  it('without propagation the server starts a trace of its own and its span is the MCP call', async () => {
    const c = await client({ propagate: false });
    await withSession({ sessionId: 'http-sess-2' }, () => c.callTool({ name: 'count_lines', arguments: { text: 'x' } }));
    await c.close();
    const spans = cap.spans();
    const clientSpan = kind(spans, SpanKind.CLIENT, 'tools/call count_lines');
    const serverSpan = kind(spans, SpanKind.SERVER, 'tools/call count_lines');
    expect(serverSpan.spanContext().traceId).not.toBe(clientSpan.spanContext().traceId);
    expect(parentId(serverSpan)).toBeUndefined();
    expect(serverSpan.attributes['fulcrum.span.type']).toBe('mcp');
    expect(serverSpan.attributes['gen_ai.conversation.id']).toBeUndefined();
  });
});
