import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A scripted OpenAI Responses API (POST /v1/responses, streamed as SSE), enough to drive the real
 * Codex binary offline. The script is a list of steps; step N is played when the request already
 * holds N tool results (function_call_output / custom_tool_call_output items), so a hook that
 * denies or rewrites a call does not derail the script. Every request body is kept, so a test can
 * read exactly what the model was sent after a hook acted.
 */

/** One scripted model turn: a function call, a freeform (custom) tool call such as gpt-5.5's apply_patch, or a final assistant message. */
export type ResponsesStep =
  | { functionCall: { name: string; arguments: Record<string, unknown> | string } }
  | { customToolCall: { name: string; input: string } }
  | { text: string };

/** One HTTP request as the fake received it. */
export interface RecordedResponsesRequest {
  method: string;
  /** Path and query, e.g. `/v1/responses`. */
  url: string;
  /** The parsed JSON body (`undefined` for an empty or non-JSON body). */
  body: unknown;
}

export interface FakeResponsesOptions {
  /** The conversation to play; the last step is repeated once the tool results outnumber the steps. */
  steps: readonly ResponsesStep[];
}

export interface FakeResponsesServer {
  /** Base URL for a Codex `model_providers.<id>.base_url`, ending in `/v1`. */
  baseUrl: string;
  /** Every request received, in order. */
  requests: RecordedResponsesRequest[];
  /** Only the POST /responses bodies, in order. */
  responsesBodies(): ResponsesRequestBody[];
  close(): Promise<void>;
}

/** The part of a Responses request body the tests read. */
export interface ResponsesRequestBody {
  model?: string;
  input?: ResponsesInputItem[];
  [key: string]: unknown;
}

/** An input item; `function_call_output` items carry `call_id` and `output`. */
export interface ResponsesInputItem {
  type?: string;
  role?: string;
  call_id?: string;
  output?: unknown;
  content?: unknown;
  [key: string]: unknown;
}

/** The tool results (function_call_output and custom_tool_call_output items) in one request body. */
export function toolOutputs(body: ResponsesRequestBody): ResponsesInputItem[] {
  return (body.input ?? []).filter((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output');
}

/** Token usage depends only on the step, so cost figures are reproducible. */
function usageFor(step: number) {
  return {
    input_tokens: 1000 + 300 * step,
    input_tokens_details: { cached_tokens: step === 0 ? 0 : 800 + 300 * step },
    output_tokens: 30 + 5 * step,
    output_tokens_details: { reasoning_tokens: 10 },
    total_tokens: 1030 + 305 * step,
  };
}

const randomId = (prefix: string) => prefix + randomBytes(6).toString('hex');

function sendEvent(res: ServerResponse, type: string, fields: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`);
}

function playStep(steps: readonly ResponsesStep[], body: ResponsesRequestBody, res: ServerResponse): void {
  const step = Math.min(toolOutputs(body).length, steps.length - 1);
  const def = steps[step];
  const item = 'functionCall' in def
    ? {
        type: 'function_call', id: randomId('fc_'), call_id: randomId('call_'), name: def.functionCall.name,
        arguments: typeof def.functionCall.arguments === 'string' ? def.functionCall.arguments : JSON.stringify(def.functionCall.arguments),
      }
    : 'customToolCall' in def
      ? { type: 'custom_tool_call', id: randomId('ctc_'), call_id: randomId('call_'), name: def.customToolCall.name, input: def.customToolCall.input }
      : { type: 'message', role: 'assistant', id: randomId('msg_'), content: [{ type: 'output_text', text: def.text, annotations: [] }] };
  const responseId = randomId('resp_');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': randomId('req_') });
  sendEvent(res, 'response.created', { response: { id: responseId, status: 'in_progress' } });
  sendEvent(res, 'response.output_item.added', { output_index: 0, item });
  if ('text' in def) sendEvent(res, 'response.output_text.delta', { output_index: 0, content_index: 0, item_id: item.id, delta: def.text });
  sendEvent(res, 'response.output_item.done', { output_index: 0, item });
  sendEvent(res, 'response.completed', { response: { id: responseId, status: 'completed', output: [item], usage: usageFor(step) } });
  res.end();
}

function parseJson(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the fake on 127.0.0.1 with an OS-chosen port. */
export async function startFakeOpenAIResponses(options: FakeResponsesOptions): Promise<FakeResponsesServer> {
  if (options.steps.length === 0) throw new Error('fake-openai-responses: the script needs at least one step');
  const requests: RecordedResponsesRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = parseJson(Buffer.concat(chunks).toString('utf8'));
      const path = (req.url ?? '').split('?')[0];
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      if (req.method === 'POST' && path.endsWith('/responses')) {
        playStep(options.steps, (body ?? {}) as ResponsesRequestBody, res);
      } else if (req.method === 'GET' && path.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [], models: [] }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'fake: not found', type: 'not_found' } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    responsesBodies: () => requests
      .filter((r) => r.method === 'POST' && r.url.split('?')[0].endsWith('/responses'))
      .map((r) => (r.body ?? {}) as ResponsesRequestBody),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
