/**
 * A local HTTP server that speaks the wire formats of Anthropic Messages,
 * OpenAI chat completions and Responses, and Google Gemini (generateContent,
 * streamGenerateContent?alt=sse), so the real provider SDK clients can be
 * pointed at it. The answer and its token usage come from the test
 * (`server.script`); the request's model name picks a failure:
 * `http-500`, `http-400`, or `error-mid-stream` (an error event after the first
 * events of a stream).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}
export interface OpenAIChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}
export interface OpenAIResponsesUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens_details: { reasoning_tokens: number };
}
export interface GoogleUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  cachedContentTokenCount: number;
  totalTokenCount: number;
}

export interface Script {
  /** The model's answer (streams send it in two halves). */
  text: string;
  /** Pause before each SSE event, in milliseconds. */
  delayMs: number;
  anthropic: { id: string; model: string; usage: AnthropicUsage };
  openaiChat: { id: string; model: string; usage: OpenAIChatUsage };
  openaiResponses: { id: string; model: string; usage: OpenAIResponsesUsage };
  google: { responseId: string; modelVersion: string; usage: GoogleUsage };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  body: Record<string, unknown>;
}

export interface ProviderServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** What the next requests are answered with; tests may change it. */
  script: Script;
  requests: ReceivedRequest[];
  /** Time (performance.now() of this process) each stream wrote its last event. */
  lastEventAt: number[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const halves = (t: string): string[] => [t.slice(0, Math.ceil(t.length / 2)), t.slice(Math.ceil(t.length / 2))];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Writes SSE frames one by one, with the script's pause before each. */
async function sse(res: ServerResponse, frames: string[], delayMs: number, headers: Record<string, string> = {}): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  for (const frame of frames) {
    if (delayMs > 0) await sleep(delayMs);
    if (res.destroyed) return;
    res.write(frame);
  }
  res.end();
}

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
const data = (d: unknown): string => `data: ${typeof d === 'string' ? d : JSON.stringify(d)}\n\n`;

function anthropic(s: Script, body: Record<string, unknown>): { status: number; json?: unknown; frames?: string[] } {
  const { id, model, usage } = s.anthropic;
  if (!body.stream)
    return { status: 200, json: { id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: s.text }], stop_reason: 'end_turn', stop_sequence: null, usage } };
  const start = event('message_start', {
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  const [a, b] = halves(s.text);
  const delta = (text: string) => event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
  if (body.model === 'error-mid-stream')
    return { status: 200, frames: [start, delta(a), event('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })] };
  return {
    status: 200,
    frames: [
      start,
      event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      delta(a),
      delta(b),
      event('content_block_stop', { type: 'content_block_stop', index: 0 }),
      event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }),
      event('message_stop', { type: 'message_stop' }),
    ],
  };
}

function openaiChat(s: Script, body: Record<string, unknown>): { status: number; json?: unknown; frames?: string[] } {
  const { id, model, usage } = s.openaiChat;
  const created = 1_760_000_000;
  if (!body.stream)
    return {
      status: 200,
      json: { id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant', content: s.text, refusal: null }, finish_reason: 'stop', logprobs: null }], usage },
    };
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const chunk = (delta: unknown, finish: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const [a, b] = halves(s.text);
  if (body.model === 'error-mid-stream') return { status: 200, frames: [data(chunk({ role: 'assistant', content: a }, null)), data({ error: { message: 'The server had an error', type: 'server_error' } })] };
  const frames = [data(chunk({ role: 'assistant', content: '' }, null)), data(chunk({ content: a }, null)), data(chunk({ content: b }, null)), data(chunk({}, 'stop'))];
  if (includeUsage) frames.push(data({ id, object: 'chat.completion.chunk', created, model, choices: [], usage }));
  frames.push(data('[DONE]'));
  return { status: 200, frames };
}

function openaiResponses(s: Script, body: Record<string, unknown>): { status: number; json?: unknown; frames?: string[] } {
  const { id, model, usage } = s.openaiResponses;
  const item = { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: s.text, annotations: [] }] };
  const response = (status: string, extra: Record<string, unknown>) => ({ id, object: 'response', created_at: 1_760_000_000, status, model, output: [], ...extra });
  if (!body.stream) return { status: 200, json: response('completed', { output: [item], usage }) };
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>) => event(type, { type, sequence_number: seq++, ...fields });
  return {
    status: 200,
    frames: [
      ev('response.created', { response: response('in_progress', {}) }),
      ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
      ev('response.content_part.added', { output_index: 0, content_index: 0, item_id: item.id, part: { type: 'output_text', text: '', annotations: [] } }),
      ev('response.output_text.delta', { output_index: 0, content_index: 0, item_id: item.id, delta: s.text }),
      ev('response.output_text.done', { output_index: 0, content_index: 0, item_id: item.id, text: s.text }),
      ev('response.content_part.done', { output_index: 0, content_index: 0, item_id: item.id, part: item.content[0] }),
      ev('response.output_item.done', { output_index: 0, item }),
      ev('response.completed', { response: response('completed', { output: [item], usage }) }),
    ],
  };
}

function google(s: Script, streaming: boolean): { status: number; json?: unknown; frames?: string[] } {
  const { responseId, modelVersion, usage } = s.google;
  const candidate = (text: string, finishReason?: string) => ({ content: { role: 'model', parts: [{ text }] }, index: 0, ...(finishReason ? { finishReason } : {}) });
  if (!streaming) return { status: 200, json: { candidates: [candidate(s.text, 'STOP')], usageMetadata: usage, modelVersion, responseId } };
  const [a, b] = halves(s.text);
  // Gemini repeats usageMetadata on every chunk; only the last one has the output count.
  const first = { promptTokenCount: usage.promptTokenCount, cachedContentTokenCount: usage.cachedContentTokenCount, totalTokenCount: usage.promptTokenCount };
  const frame = (d: unknown) => `data: ${JSON.stringify(d)}\r\n\r\n`;
  return {
    status: 200,
    frames: [frame({ candidates: [candidate(a)], usageMetadata: first, modelVersion, responseId }), frame({ candidates: [candidate(b, 'STOP')], usageMetadata: usage, modelVersion, responseId })],
  };
}

function httpError(path: string, status: number): unknown {
  if (path.startsWith('/v1beta/')) return { error: { code: status, message: `fake ${status}`, status: status === 400 ? 'INVALID_ARGUMENT' : 'INTERNAL' } };
  if (path === '/v1/messages') return { type: 'error', error: { type: status === 400 ? 'invalid_request_error' : 'api_error', message: `fake ${status}` } };
  return { error: { message: `fake ${status}`, type: status === 400 ? 'invalid_request_error' : 'server_error', param: null, code: null } };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
}

export async function startProviderServer(script: Script): Promise<ProviderServer> {
  const requests: ReceivedRequest[] = [];
  const lastEventAt: number[] = [];
  const state = { script };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = req.url ?? '/';
      const path = url.split('?')[0];
      requests.push({ method: req.method ?? '', url, body });
      const googleModel = /^\/v1beta\/models\/([^:]+):/.exec(path)?.[1];
      const model = googleModel ?? body.model;
      const headers = { 'request-id': `req_${requests.length}`, 'x-request-id': `req_${requests.length}` };
      if (model === 'http-500' || model === 'http-400') return json(res, model === 'http-500' ? 500 : 400, httpError(path, model === 'http-500' ? 500 : 400), headers);
      const s = state.script;
      const reply =
        path === '/v1/messages' ? anthropic(s, body)
        : path === '/v1/chat/completions' ? openaiChat(s, body)
        : path === '/v1/responses' ? openaiResponses(s, body)
        : path.endsWith(':generateContent') ? google(s, false)
        : path.endsWith(':streamGenerateContent') ? google(s, true)
        : undefined;
      if (!reply) return json(res, 404, { error: { message: 'not found' } });
      if (reply.frames) {
        await sse(res, reply.frames, s.delayMs, headers);
        lastEventAt.push(performance.now());
      } else json(res, reply.status, reply.json, headers);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get script() {
      return state.script;
    },
    set script(s: Script) {
      state.script = s;
    },
    requests,
    lastEventAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
