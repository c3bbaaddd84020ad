// instrumentAnthropic / instrumentOpenAI / instrumentGoogleGenAI on the real clients, talking HTTP to a local server.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentAnthropic, instrumentGoogleGenAI, instrumentOpenAI, traceModelCall, withSession } from '../../packages/sdk/src/index.js';
import { captureSpans, parentId, spanId } from './helpers.js';
import { startProviderServer, type ProviderServer, type Script } from './provider-server.js';

const cap = captureSpans();

const SCRIPT: Script = {
  text: 'Instrumented hello',
  delayMs: 0,
  anthropic: { id: 'msg_i1', model: 'claude-haiku-4-5', usage: { input_tokens: 40, output_tokens: 12, cache_read_input_tokens: 500, cache_creation_input_tokens: 60 } },
  openaiChat: { id: 'chatcmpl_i1', model: 'gpt-4o-mini', usage: { prompt_tokens: 900, completion_tokens: 50, total_tokens: 950, prompt_tokens_details: { cached_tokens: 400 } } },
  openaiResponses: {
    id: 'resp_i1',
    model: 'gpt-5-mini',
    usage: { input_tokens: 1000, output_tokens: 100, total_tokens: 1100, input_tokens_details: { cached_tokens: 200 }, output_tokens_details: { reasoning_tokens: 20 } },
  },
  google: { responseId: 'gresp_i1', modelVersion: 'gemini-2.5-pro', usage: { promptTokenCount: 600, candidatesTokenCount: 30, cachedContentTokenCount: 0, totalTokenCount: 630 } },
};

// Dollars from packages/vocab/src/prices.ts, per million tokens.
// claude-haiku-4-5: input 1, output 5, cache read 0.1, cache write 1.25 (Anthropic input excludes cache tokens).
const HAIKU_COST = (40 * 1 + 12 * 5 + 500 * 0.1 + 60 * 1.25) / 1e6;
// gpt-4o-mini: input 0.15, output 0.6, cache read 0.075 (prompt_tokens includes the cached 400).
const GPT4O_MINI_COST = ((900 - 400) * 0.15 + 50 * 0.6 + 400 * 0.075) / 1e6;
// gpt-5-mini: input 0.25, output 2, cache read 0.025.
const GPT5_MINI_COST = ((1000 - 200) * 0.25 + 100 * 2 + 200 * 0.025) / 1e6;
// gemini-2.5-pro: input 1.25, output 10.
const GEMINI_PRO_COST = (600 * 1.25 + 30 * 10) / 1e6;

let server: ProviderServer;

beforeAll(async () => {
  server = await startProviderServer(SCRIPT);
});
afterAll(() => server.close());

// The Anthropic SDK traces its own calls when it has a tracer, and then wraps create()'s APIPromise once more.
type AnthropicTracing = Pick<NonNullable<ConstructorParameters<typeof Anthropic>[0]>, 'openTelemetry'>;
const ANTHROPIC_TRACING: Array<[string, AnthropicTracing]> = [
  ['its own tracing on', { openTelemetry: { tracerProvider: new BasicTracerProvider() } }],
  ['its own tracing off', { openTelemetry: false }],
];
let anthropicOptions: AnthropicTracing = ANTHROPIC_TRACING[0][1];
const newAnthropic = () => instrumentAnthropic(new Anthropic({ baseURL: server.url, apiKey: 'test', maxRetries: 0, ...anthropicOptions }));
const newOpenAI = () => instrumentOpenAI(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test', maxRetries: 0 }));
const newGoogle = () => instrumentGoogleGenAI(new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: server.url } }));

/** Fulcrum's own model-call spans (the Anthropic SDK may add spans of its own). */
const chatSpans = (): ReadableSpan[] => cap.spans().filter((s) => s.instrumentationScope.name === '@fulcrum/sdk' && s.name.startsWith('chat '));
const oneChat = (): ReadableSpan => {
  const spans = chatSpans();
  expect(spans.map((s) => s.name)).toHaveLength(1);
  return spans[0];
};
const tick = () => new Promise((r) => setTimeout(r, 5));

const haiku = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

describe.each(ANTHROPIC_TRACING)('instrumentAnthropic (Anthropic SDK with %s)', (_name, options) => {
  beforeAll(() => {
    anthropicOptions = options;
  });

  it('messages.create: one chat span with tokens and the exact cost', async () => {
    const client = newAnthropic();
    const message = await client.messages.create(haiku);
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Instrumented hello' });
    const span = oneChat();
    expect(span.name).toBe('chat claude-haiku-4-5');
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-haiku-4-5',
      'fulcrum.span.type': 'llm',
      'gen_ai.usage.input_tokens': 40 + 500 + 60,
      'gen_ai.usage.output_tokens': 12,
      'gen_ai.usage.cache_read.input_tokens': 500,
      'gen_ai.usage.cache_creation.input_tokens': 60,
      'gen_ai.response.model': 'claude-haiku-4-5',
      'gen_ai.response.id': 'msg_i1',
      'fulcrum.cost.usd': HAIKU_COST,
    });
    expect(HAIKU_COST).toBeCloseTo(0.000225, 12);
  });

  it('returns the APIPromise itself: withResponse() still gives data, response and request id', async () => {
    const client = newAnthropic();
    const promise = client.messages.create(haiku);
    expect(promise.constructor.name).toBe('APIPromise');
    const { data, response, request_id } = await promise.withResponse();
    expect(data.id).toBe('msg_i1');
    expect(response.status).toBe(200);
    expect(request_id).toBe(`req_${server.requests.length}`);
    expect(oneChat().attributes['fulcrum.cost.usd']).toBe(HAIKU_COST);
  });

  it('asResponse(): the caller can still read the body itself; the span ends without usage', async () => {
    const client = newAnthropic();
    const response = await client.messages.create(haiku).asResponse();
    const body = (await response.json()) as { id: string; usage: { output_tokens: number } };
    expect(body.id).toBe('msg_i1');
    expect(body.usage.output_tokens).toBe(12);
    await tick();
    const span = oneChat();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a streamed create() ends its span once the stream is read, with the same attributes as unstreamed', async () => {
    const client = newAnthropic();
    await client.messages.create(haiku);
    const unstreamed = oneChat().attributes;
    cap.exporter.reset();
    const stream = await client.messages.create({ ...haiku, stream: true });
    await tick();
    expect(chatSpans()).toHaveLength(0);
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(oneChat().attributes).toEqual(unstreamed);
  });

  it('messages.stream() goes through create(): one span, ended with the stream', async () => {
    const client = newAnthropic();
    const text = await client.messages.stream(haiku).finalText();
    expect(text).toBe('Instrumented hello');
    await tick();
    expect(oneChat().attributes['fulcrum.cost.usd']).toBe(HAIKU_COST);
  });

  it('instrumenting the same client twice gives one span per call', async () => {
    const client = instrumentAnthropic(instrumentAnthropic(newAnthropic()));
    await client.messages.create(haiku);
    expect(chatSpans()).toHaveLength(1);
  });

  it('inside traceModelCall, the instrumented call adds no second span', async () => {
    const client = newAnthropic();
    await traceModelCall({ provider: 'anthropic', model: 'claude-haiku-4-5' }, () => client.messages.create(haiku));
    expect(oneChat().attributes['gen_ai.usage.output_tokens']).toBe(12);
  });

  it('HTTP 500: the caller gets the InternalServerError, the span records it', async () => {
    const client = newAnthropic();
    const caught = await client.messages.create({ ...haiku, model: 'http-500' }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Anthropic.InternalServerError);
    expect((caught as InstanceType<typeof Anthropic.InternalServerError>).status).toBe(500);
    await tick();
    const span = oneChat();
    expect(span.name).toBe('chat http-500');
    expect(span.attributes['error.type']).toBe('InternalServerError');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: (caught as Error).message });
  });

  it('HTTP 400 on a streamed call: BadRequestError from create(), recorded', async () => {
    const client = newAnthropic();
    const caught = await client.messages.create({ ...haiku, model: 'http-400', stream: true }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Anthropic.BadRequestError);
    await tick();
    expect(oneChat().attributes['error.type']).toBe('BadRequestError');
  });

  it('nests under the active span', async () => {
    const client = newAnthropic();
    await withSession({ sessionId: 'sess-i', agentName: 'coder' }, () => client.messages.create(haiku));
    await tick();
    const session = cap.one('invoke_agent coder');
    expect(parentId(oneChat())).toBe(spanId(session));
    expect(oneChat().attributes['gen_ai.conversation.id']).toBe('sess-i');
  });
});

describe('instrumentOpenAI', () => {
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

  it('streamed chat.completions with include_usage: tokens and the exact cost', async () => {
    const client = newOpenAI();
    const stream = await client.chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Instrumented hello');
    const span = oneChat();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 900,
      'gen_ai.usage.output_tokens': 50,
      'gen_ai.usage.cache_read.input_tokens': 400,
      'gen_ai.response.id': 'chatcmpl_i1',
      'fulcrum.cost.usd': GPT4O_MINI_COST,
    });
    expect(GPT4O_MINI_COST).toBeCloseTo(0.000135, 12);
  });

  it('withResponse() on chat.completions.create still works', async () => {
    const client = newOpenAI();
    const { data, response, request_id } = await client.chat.completions.create(chat).withResponse();
    expect(data.choices[0].message.content).toBe('Instrumented hello');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(request_id).toBe(`req_${server.requests.length}`);
    expect(oneChat().attributes['fulcrum.cost.usd']).toBe(GPT4O_MINI_COST);
  });

  it('chat.completions.parse() (which re-parses the response) still works, one span', async () => {
    const client = newOpenAI();
    const parsed = await client.chat.completions.parse(chat);
    expect(parsed.choices[0].message.content).toBe('Instrumented hello');
    expect(oneChat().attributes['gen_ai.usage.output_tokens']).toBe(50);
  });

  it('responses.create streamed: usage from response.completed', async () => {
    const client = newOpenAI();
    const stream = await client.responses.create({ model: 'gpt-5-mini', input: 'hi', stream: true });
    for await (const _ of stream);
    expect(oneChat().attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.response.id': 'resp_i1',
      'fulcrum.cost.usd': GPT5_MINI_COST,
    });
  });

  it('responses.stream() helper: one span, ended when the helper has read the stream', async () => {
    const client = newOpenAI();
    const final = await client.responses.stream({ model: 'gpt-5-mini', input: 'hi' }).finalResponse();
    expect(final.id).toBe('resp_i1');
    await tick();
    expect(oneChat().attributes['fulcrum.cost.usd']).toBe(GPT5_MINI_COST);
  });

  it('HTTP 400: BadRequestError reaches the caller, the span records it', async () => {
    const client = newOpenAI();
    const caught = await client.chat.completions.create({ ...chat, model: 'http-400' }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(OpenAI.BadRequestError);
    await tick();
    const span = oneChat();
    expect(span.attributes['error.type']).toBe('BadRequestError');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('instrumenting twice gives one span', async () => {
    const client = instrumentOpenAI(newOpenAI());
    await client.responses.create({ model: 'gpt-5-mini', input: 'hi' });
    expect(chatSpans()).toHaveLength(1);
  });
});

describe('instrumentGoogleGenAI', () => {
  const params = { model: 'gemini-2.5-pro', contents: 'hi' };

  it('generateContent and generateContentStream: gcp.gemini spans with the same usage and cost', async () => {
    const client = newGoogle();
    const response = await client.models.generateContent(params);
    expect(response.text).toBe('Instrumented hello');
    const unstreamed = oneChat().attributes;
    expect(unstreamed).toMatchObject({
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-pro',
      'gen_ai.usage.input_tokens': 600,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.response.id': 'gresp_i1',
      'fulcrum.cost.usd': GEMINI_PRO_COST,
    });
    cap.exporter.reset();
    const stream = await client.models.generateContentStream(params);
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('Instrumented hello');
    expect(oneChat().attributes).toEqual(unstreamed);
  });

  it('chats.sendMessage goes through models.generateContent: one span', async () => {
    const client = newGoogle();
    const chat = client.chats.create({ model: 'gemini-2.5-pro' });
    const response = await chat.sendMessage({ message: 'hi' });
    expect(response.text).toBe('Instrumented hello');
    expect(oneChat().attributes['fulcrum.cost.usd']).toBe(GEMINI_PRO_COST);
  });

  it('HTTP 500: the error reaches the caller and is recorded; instrumenting twice still one span', async () => {
    const client = instrumentGoogleGenAI(newGoogle());
    const caught = await client.models.generateContent({ ...params, model: 'http-500' }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as { status?: number }).status).toBe(500);
    await tick();
    const span = oneChat();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe((caught as Error).name);
  });
});
