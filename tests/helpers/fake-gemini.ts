import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A scripted Gemini API (generativelanguage v1beta: :streamGenerateContent?alt=sse,
 * :generateContent, :countTokens), enough to drive the real Gemini CLI offline. Step N of the
 * script is played when the request already holds N functionResponse parts. Requests without tools
 * (the CLI's own side queries: routing, next-speaker checks) get fixed side answers and do not
 * advance the script. Every request body is kept for the test to read.
 */

/** One scripted model turn: a function call, or a final text answer. */
export type GeminiStep =
  | { functionCall: { name: string; args: Record<string, unknown> } }
  | { text: string };

/** One HTTP request as the fake received it. */
export interface RecordedGeminiRequest {
  method: string;
  /** Path and query, e.g. `/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`. */
  url: string;
  /** The parsed JSON body (`undefined` for an empty or non-JSON body). */
  body: unknown;
}

export interface FakeGeminiOptions {
  /** The conversation to play; the last step is repeated once the function responses outnumber the steps. */
  steps: readonly GeminiStep[];
  /**
   * The text answered to non-streaming side calls (the CLI parses it as JSON: router, next speaker).
   * @default a router/next-speaker answer that picks "pro" and hands the turn back to the user
   */
  sideJson?: string;
}

export interface FakeGeminiServer {
  /** Value for GOOGLE_GEMINI_BASE_URL. */
  baseUrl: string;
  /** Every request received, in order. */
  requests: RecordedGeminiRequest[];
  /** Only the scripted conversation requests (streamed, with tools), in order. */
  conversationBodies(): GeminiRequestBody[];
  close(): Promise<void>;
}

/** The part of a generateContent request body the tests read. */
export interface GeminiRequestBody {
  contents?: { role?: string; parts?: GeminiPart[] }[];
  tools?: unknown[];
  [key: string]: unknown;
}

export interface GeminiPart {
  text?: string;
  functionCall?: { name: string; args?: unknown };
  functionResponse?: { id?: string; name: string; response?: Record<string, unknown> };
  [key: string]: unknown;
}

const DEFAULT_SIDE_JSON = JSON.stringify({
  reasoning: 'fake', next_speaker: 'user', model_choice: 'pro', complexity_reasoning: 'fake', complexity_score: 10,
});

/** The functionResponse parts in one request body, in order. */
export function functionResponses(body: GeminiRequestBody): NonNullable<GeminiPart['functionResponse']>[] {
  return (body.contents ?? []).flatMap((c) => c.parts ?? []).flatMap((p) => (p.functionResponse ? [p.functionResponse] : []));
}

/** Token usage depends only on the step, so cost figures are reproducible. */
function usageFor(step: number) {
  return {
    promptTokenCount: 2000 + 400 * step, candidatesTokenCount: 25 + 5 * step,
    cachedContentTokenCount: step === 0 ? 0 : 1500 + 400 * step, thoughtsTokenCount: 12, totalTokenCount: 2037 + 405 * step,
  };
}

const isConversation = (body: GeminiRequestBody) => Array.isArray(body.tools) && body.tools.length > 0;

function answer(options: FakeGeminiOptions, path: string, body: GeminiRequestBody, seq: number, res: ServerResponse): void {
  const model = /models\/([^:]+):/.exec(path)?.[1] ?? 'gemini-2.5-pro';
  if (path.endsWith(':streamGenerateContent')) {
    let parts: GeminiPart[];
    let step = 0;
    if (!isConversation(body)) parts = [{ text: 'OK' }];
    else {
      step = Math.min(functionResponses(body).length, options.steps.length - 1);
      const def = options.steps[step];
      parts = 'functionCall' in def ? [{ functionCall: def.functionCall }] : [{ text: def.text }];
    }
    const chunk = { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: usageFor(step), modelVersion: model, responseId: `fake-resp-${seq}` };
    res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  } else if (path.endsWith(':generateContent')) {
    const text = options.sideJson ?? DEFAULT_SIDE_JSON;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 300, candidatesTokenCount: 20, totalTokenCount: 320 }, modelVersion: model,
    }));
  } else if (path.endsWith(':countTokens')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ totalTokens: 1234 }));
  } else {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: 'fake: not found', status: 'NOT_FOUND' } }));
  }
}

function parseJson(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the fake on 127.0.0.1 with an OS-chosen port. */
export async function startFakeGemini(options: FakeGeminiOptions): Promise<FakeGeminiServer> {
  if (options.steps.length === 0) throw new Error('fake-gemini: the script needs at least one step');
  const requests: RecordedGeminiRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = parseJson(Buffer.concat(chunks).toString('utf8'));
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST') res.writeHead(404).end();
      else answer(options, path, (body ?? {}) as GeminiRequestBody, requests.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    conversationBodies: () => requests
      .filter((r) => r.method === 'POST' && r.url.split('?')[0].endsWith(':streamGenerateContent'))
      .map((r) => (r.body ?? {}) as GeminiRequestBody)
      .filter(isConversation),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
