import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A scripted Anthropic Messages API (POST /v1/messages, streamed as SSE or plain JSON), enough to
 * drive the real Claude Code binary offline. Step N of the script is played when the request already
 * holds N tool results, so a hook that denies a call (which still yields a tool_result) advances the
 * script exactly like a call that ran. Requests without tools (Claude Code's side queries: title,
 * topic) get a short text and do not advance it. Every request is kept, so a test can read exactly
 * what the model was sent after a hook acted.
 */

/** One scripted model turn: a tool call, or a final text answer. */
export type AnthropicStep = { tool_use: { name: string; input: Record<string, unknown> } } | { text: string };

/** One HTTP request as the fake received it. */
export interface RecordedAnthropicRequest {
  method: string;
  /** Path and query, e.g. `/v1/messages?beta=true`. */
  url: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body (`undefined` for an empty or non-JSON body). */
  body: unknown;
  /** What the fake did with it: `main step=N`, `side-query`, `count_tokens`, `head`, `not-found`. */
  handledAs: string;
}

export interface FakeAnthropicOptions {
  /** The conversation to play; the last step is repeated once the tool results outnumber the steps. */
  steps: readonly AnthropicStep[];
  /**
   * The answer to requests that offer no tools (title and topic side queries).
   * @default 'OK'
   */
  sideText?: string;
}

export interface FakeAnthropicServer {
  /** Base URL for `ANTHROPIC_BASE_URL`, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Every request received, in order. */
  requests: RecordedAnthropicRequest[];
  /** Only the scripted (tool-offering) POST /v1/messages bodies, in order. */
  mainRequests(): MessagesRequestBody[];
  close(): Promise<void>;
}

/** The part of a Messages request body the tests read. */
export interface MessagesRequestBody {
  model?: string;
  stream?: boolean;
  tools?: unknown[];
  messages?: Array<{ role: string; content: string | ContentBlock[] }>;
  [key: string]: unknown;
}

/** A message content block; tool_result blocks carry `tool_use_id`, `content` and maybe `is_error`. */
export interface ContentBlock {
  type: string;
  text?: string;
  tool_use_id?: string;
  content?: string | Array<{ type: string; text?: string }>;
  is_error?: boolean;
  [key: string]: unknown;
}

/** Every tool_result block in a request body, oldest first. */
export function toolResults(body: MessagesRequestBody): ContentBlock[] {
  return userBlocks(body).filter((block) => block.type === 'tool_result');
}

/**
 * Every text the model was given besides its own turns, oldest first: the prompt, system reminders
 * (hook additionalContext arrives as one), and Claude Code's `role: "system"` messages, which carry
 * the UserPromptSubmit hook's context.
 */
export function inputTexts(body: MessagesRequestBody): string[] {
  const texts: string[] = [];
  for (const message of body.messages ?? []) {
    if (message.role === 'assistant') continue;
    if (typeof message.content === 'string') texts.push(message.content);
    else for (const block of message.content) if (block.type === 'text' && block.text !== undefined) texts.push(block.text);
  }
  return texts;
}

/** The content blocks of the last message (after a tool call: its tool_result, then any hook reminders). */
export function lastMessageBlocks(body: MessagesRequestBody): ContentBlock[] {
  const last = body.messages?.at(-1);
  if (last === undefined) return [];
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
}

/** The text of a tool_result block, whether its content is a string or a list of text blocks. */
export function toolResultText(block: ContentBlock): string {
  if (typeof block.content === 'string') return block.content;
  return (block.content ?? []).map((part) => part.text ?? '').join('');
}

function userBlocks(body: MessagesRequestBody): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  for (const message of body.messages ?? []) {
    if (message.role === 'user' && Array.isArray(message.content)) blocks.push(...message.content);
  }
  return blocks;
}

/** The usage block of one answer, as the Messages API reports it. */
export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/** Token usage depends only on the step, so the harness's own dollar figures are reproducible (and tests can price them). */
export function usageFor(step: number): Usage {
  return {
    input_tokens: 10 + step,
    cache_creation_input_tokens: step === 0 ? 5000 : 300,
    cache_read_input_tokens: step === 0 ? 0 : 5000 + 300 * step,
    output_tokens: 40 + 7 * step,
  };
}

const SIDE_QUERY_USAGE: Usage = { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 };

const randomId = (prefix: string) => prefix + randomBytes(8).toString('hex');

type OutBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

function blocksFor(step: AnthropicStep): OutBlock[] {
  if ('tool_use' in step) return [{ type: 'tool_use', id: randomId('toolu_fake_'), ...step.tool_use }];
  return [{ type: 'text', text: step.text }];
}

function sendEvent(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

/** Halves of a string, so the client exercises its delta concatenation. */
function halves(text: string): string[] {
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)].filter((piece) => piece.length > 0);
}

function answer(res: ServerResponse, body: MessagesRequestBody, content: OutBlock[], usage: Usage): void {
  const model = body.model ?? 'claude-sonnet-4-5';
  const id = randomId('msg_fake_');
  const stopReason = content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const headers = { 'request-id': randomId('req_fake_'), 'anthropic-organization-id': 'fake-org' };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  sendEvent(res, 'message_start', {
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  content.forEach((block, index) => {
    if (block.type === 'text') {
      sendEvent(res, 'content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const piece of halves(block.text)) sendEvent(res, 'content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    } else {
      sendEvent(res, 'content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const piece of halves(JSON.stringify(block.input)))
        sendEvent(res, 'content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    sendEvent(res, 'content_block_stop', { index });
  });
  sendEvent(res, 'message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  sendEvent(res, 'message_stop', {});
  res.end();
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Starts the fake on 127.0.0.1, on a free port. */
export async function startFakeAnthropic(options: FakeAnthropicOptions): Promise<FakeAnthropicServer> {
  if (options.steps.length === 0) throw new Error('startFakeAnthropic: the script needs at least one step');
  const requests: RecordedAnthropicRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = parseJson(Buffer.concat(chunks).toString('utf8'));
      const path = (req.url ?? '/').split('?')[0];
      const record: RecordedAnthropicRequest = { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body, handledAs: 'not-found' };
      requests.push(record);
      if (req.method === 'POST' && path === '/v1/messages') {
        const messagesBody = (body ?? {}) as MessagesRequestBody;
        if (!Array.isArray(messagesBody.tools) || messagesBody.tools.length === 0) {
          record.handledAs = 'side-query';
          answer(res, messagesBody, [{ type: 'text', text: options.sideText ?? 'OK' }], SIDE_QUERY_USAGE);
          return;
        }
        const step = Math.min(toolResults(messagesBody).length, options.steps.length - 1);
        record.handledAs = `main step=${step}`;
        answer(res, messagesBody, blocksFor(options.steps[step]), usageFor(step));
      } else if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
        record.handledAs = 'count_tokens';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: 1234 }));
      } else if (req.method === 'HEAD') {
        // Claude Code probes the base URL with HEAD / before its first request; any status will do.
        record.handledAs = 'head';
        res.writeHead(200);
        res.end();
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'fake Anthropic server: not found' } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    mainRequests: () =>
      requests.filter((r) => r.handledAs.startsWith('main ')).map((r) => r.body as MessagesRequestBody),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
