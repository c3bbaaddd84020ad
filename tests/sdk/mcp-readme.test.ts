/**
 * The README's MCP example, verbatim (a test compares the two), type-checked
 * against the real @modelcontextprotocol/sdk by `npx tsc -p tsconfig.tests.json`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentMcpClient, traceMcpToolHandler, traceToolCall } from '../../packages/sdk/src/index.js';

// README example: begin
async function readmeExample(transport: Transport, toolUse: { name: string; id: string; input: Record<string, unknown> }) {
  // Client: callTool, readResource and getPrompt → `tools/call add` (CLIENT) spans; isError results → error.type=tool_error.
  const client = instrumentMcpClient(new Client({ name: 'my-harness', version: '1.0.0' }));
  await client.connect(transport);

  // Your own tool span around the same request is that request: one span, counted once.
  const result = await traceToolCall({ name: toolUse.name, id: toolUse.id, args: toolUse.input }, () =>
    client.callTool({ name: 'add', arguments: toolUse.input }),
  );

  // Server: the handler runs in a SERVER span that continues the client's trace.
  const server = new McpServer({ name: 'calc', version: '1.0.0' });
  server.registerTool(
    'add',
    { inputSchema: { a: z.number(), b: z.number() } },
    traceMcpToolHandler({ tool: 'add', server: 'calc' }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] })),
  );
  return { result, server };
}
// README example: end

export { readmeExample };

/** Code lines only: no imports, comments or blank lines, no indentation. */
const code = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('import ') && !l.startsWith('//'));

describe('the README MCP example', () => {
  it('is the README text verbatim', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../packages/sdk/README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('### MCP clients'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)![1];
    const here = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const body = /\/\/ README example: begin\n[^\n]*\n([\s\S]*?)\n {2}return \{ result, server \};\n\}\n\/\/ README example: end/.exec(here)![1];
    expect(code(block)).toEqual(code(body));
  });
});
