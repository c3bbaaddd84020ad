/**
 * A fake Anthropic Messages API (POST /v1/messages, streaming SSE and plain JSON)
 * that plays a scripted conversation, so the real Claude Code binary bundled
 * with @anthropic-ai/claude-agent-sdk runs offline and executes real tools.
 *
 * The step played for a request is the number of assistant turns already in
 * its messages (the calls made so far in that conversation), so retries and
 * re-sends stay on the same step. A request without
 * tools (a side query: title, topic) gets a short text answer and does not
 * advance the script. Tool-use ids and message ids are derived from the script
 * and step, so tests can pin them; every response served is logged with the
 * usage it reported.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export type FakeBlock = { text: string } | { tool_use: { name: string; input: Record<string, unknown> } };

export interface FakeStep {
  /** Content blocks of the answer, in order (Claude Code streams each as its own assistant message). */
  content: FakeBlock[];
  usage: FakeUsage;
}

export interface FakeScript {
  /** Script name: ids are `msg_{name}_{step}` and `toolu_{name}_{step}_{block}`. */
  name: string;
  /** Regex tested against the JSON of the first message; the main script has none. */
  match?: string;
  steps: FakeStep[];
}

export interface ServedResponse {
  script: string;
  step: number;
  messageId: string;
  model: string;
  usage: FakeUsage;
  toolUseIds: string[];
  stream: boolean;
}

export interface FakeAnthropic {
  /** Base URL for ANTHROPIC_BASE_URL. */
  url: string;
  /** Every /v1/messages response served, in order. */
  served: ServedResponse[];
  close(): Promise<void>;
}

export const SIDE_QUERY_USAGE: FakeUsage = { input_tokens: 100, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

type Body = { model?: string; stream?: boolean; tools?: unknown[]; messages?: Array<{ role?: string; content?: unknown }> };

const assistantTurns = (body: Body): number => (body.messages ?? []).filter((m) => m.role === 'assistant').length;

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

function blocks(script: string, step: number, def: FakeStep): Block[] {
  return def.content.map((b, i) =>
    'text' in b ? { type: 'text', text: b.text } : { type: 'tool_use', id: `toolu_${script}_${step}_${i}`, name: b.tool_use.name, input: b.tool_use.input },
  );
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function respond(res: ServerResponse, body: Body, id: string, content: Block[], usage: FakeUsage): void {
  const model = body.model ?? 'claude-sonnet-4-5';
  const stopReason = content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const headers = { 'request-id': `req_${id}` };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  const start = { ...usage, output_tokens: 1 };
  sse(res, 'message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: start } });
  content.forEach((block, index) => {
    if (block.type === 'text') {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    } else {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/** Starts the server on a free local port; `scripts[0]` without `match` is the main conversation. */
export async function startFakeAnthropic(scripts: FakeScript[]): Promise<FakeAnthropic> {
  const served: ServedResponse[] = [];
  let sideQueries = 0;
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const url = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && url === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: 1234 }));
      return;
    }
    if (req.method !== 'POST' || url !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'fake server: not found' } }));
      return;
    }
    const body = JSON.parse(raw || '{}') as Body;
    const model = body.model ?? 'claude-sonnet-4-5';
    if (!Array.isArray(body.tools) || body.tools.length === 0) {
      const id = `msg_side_${++sideQueries}`;
      served.push({ script: 'side', step: 0, messageId: id, model, usage: SIDE_QUERY_USAGE, toolUseIds: [], stream: body.stream === true });
      respond(res, body, id, [{ type: 'text', text: 'OK' }], SIDE_QUERY_USAGE);
      return;
    }
    const first = JSON.stringify(body.messages?.[0] ?? '');
    const script = scripts.find((s) => s.match !== undefined && new RegExp(s.match).test(first)) ?? scripts.find((s) => s.match === undefined) ?? scripts[0];
    const step = Math.min(assistantTurns(body), script.steps.length - 1);
    const content = blocks(script.name, step, script.steps[step]);
    // Ids stay unique when a step is played again (a retry, or the last step of a second turn).
    const again = served.filter((s) => s.script === script.name && s.step === step).length;
    const id = again === 0 ? `msg_${script.name}_${step}` : `msg_${script.name}_${step}_${again}`;
    const toolUseIds = content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    served.push({ script: script.name, step, messageId: id, model, usage: script.steps[step].usage, toolUseIds, stream: body.stream === true });
    respond(res, body, id, content, script.steps[step].usage);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
