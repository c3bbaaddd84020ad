// traceModelCall around streamed calls of the real provider SDKs, talking HTTP to a local server.
import Anthropic from '@anthropic-ai/sdk';
import { Stream as AnthropicStream } from '@anthropic-ai/sdk/streaming';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { Stream as OpenAIStream } from 'openai/streaming';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { traceModelCall } from '../../packages/sdk/src/index.js';
import { captureSpans } from './helpers.js';
import { startProviderServer, type ProviderServer, type Script } from './provider-server.js';

const cap = captureSpans();

const SCRIPT: Script = {
  text: 'Hello from the fake model',
  delayMs: 0,
  anthropic: { id: 'msg_s1', model: 'claude-sonnet-4-6', usage: { input_tokens: 120, output_tokens: 75, cache_read_input_tokens: 2000, cache_creation_input_tokens: 300 } },
  openaiChat: { id: 'chatcmpl_s1', model: 'gpt-4.1-2025-04-14', usage: { prompt_tokens: 1500, completion_tokens: 200, total_tokens: 1700, prompt_tokens_details: { cached_tokens: 600 } } },
  openaiResponses: {
    id: 'resp_s1',
    model: 'gpt-5.1',
    usage: { input_tokens: 2000, output_tokens: 300, total_tokens: 2300, input_tokens_details: { cached_tokens: 1500 }, output_tokens_details: { reasoning_tokens: 100 } },
  },
  google: { responseId: 'gresp_s1', modelVersion: 'gemini-2.5-flash', usage: { promptTokenCount: 800, candidatesTokenCount: 80, cachedContentTokenCount: 300, totalTokenCount: 880 } },
};

// Dollars from packages/vocab/src/prices.ts, per million tokens.
// claude-sonnet-4-6 (the claude-sonnet-4- family): input 3, output 15, cache read 3/10, cache write 3*1.25. Input EXCLUDES cache tokens at Anthropic.
const ANTHROPIC_COST = (120 * 3 + 75 * 15 + 2000 * 0.3 + 300 * 3.75) / 1e6;
// gpt-4.1: input 2, output 8, cache read 0.5. prompt_tokens INCLUDES the 600 cached ones.
const OPENAI_CHAT_COST = ((1500 - 600) * 2 + 200 * 8 + 600 * 0.5) / 1e6;
// gpt-5.1: input 1.25, output 10, cache read 0.125.
const OPENAI_RESPONSES_COST = ((2000 - 1500) * 1.25 + 300 * 10 + 1500 * 0.125) / 1e6;
// gemini-2.5-flash: input 0.3, output 2.5, cache read 0.03.
const GOOGLE_COST = ((800 - 300) * 0.3 + 80 * 2.5 + 300 * 0.03) / 1e6;

let server: ProviderServer;
let anthropic: Anthropic;
let openai: OpenAI;
let google: GoogleGenAI;

beforeAll(async () => {
  server = await startProviderServer(SCRIPT);
  anthropic = new Anthropic({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test', maxRetries: 0 });
  google = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: server.url } });
});
afterAll(() => server.close());
beforeEach(() => {
  server.script = SCRIPT;
});

/** Fulcrum's own model-call spans (the Anthropic SDK may add spans of its own). */
const chatSpans = (): ReadableSpan[] => cap.spans().filter((s) => s.instrumentationScope.name === '@fulcrum/sdk' && s.name.startsWith('chat '));
const oneChat = (): ReadableSpan => {
  const spans = chatSpans();
  expect(spans.map((s) => s.name)).toHaveLength(1);
  return spans[0];
};
const msOf = (t: [number, number]): number => t[0] * 1000 + t[1] / 1e6;
const tick = () => new Promise((r) => setTimeout(r, 5));

const ANTHROPIC_PARAMS = { model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };
const anthropicMeta = { provider: 'anthropic', model: 'claude-sonnet-4-6' };

describe('Anthropic messages.create({ stream: true })', () => {
  it('records input, output and cache tokens and the exact cost once the stream is read', async () => {
    const stream = await traceModelCall(anthropicMeta, () => anthropic.messages.create({ ...ANTHROPIC_PARAMS, stream: true }));
    expect(stream).toBeInstanceOf(AnthropicStream);
    await tick();
    expect(chatSpans()).toHaveLength(0); // create() resolved, nothing read yet: the span is still open
    let text = '';
    for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    expect(text).toBe('Hello from the fake model');
    expect(oneChat().attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-6',
      'fulcrum.span.type': 'llm',
      'gen_ai.usage.input_tokens': 120 + 2000 + 300, // semconv: input includes cache read and cache write
      'gen_ai.usage.output_tokens': 75,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 300,
      'gen_ai.response.model': 'claude-sonnet-4-6',
      'gen_ai.response.id': 'msg_s1',
      'fulcrum.cost.usd': ANTHROPIC_COST,
    });
    expect(ANTHROPIC_COST).toBeCloseTo(0.00321, 12);
  });

  it('gives the same attributes and cost as the same call not streamed', async () => {
    const message = await traceModelCall(anthropicMeta, () => anthropic.messages.create(ANTHROPIC_PARAMS));
    expect(message.usage.output_tokens).toBe(75);
    const unstreamed = oneChat().attributes;
    cap.exporter.reset();
    for await (const _ of await traceModelCall(anthropicMeta, () => anthropic.messages.create({ ...ANTHROPIC_PARAMS, stream: true })));
    expect(oneChat().attributes).toEqual(unstreamed);
    expect(unstreamed['fulcrum.cost.usd']).toBe(ANTHROPIC_COST);
  });

  it('ends the span after the last event, not when create() resolves', async () => {
    server.script = { ...SCRIPT, delayMs: 25 };
    const stream = await traceModelCall(anthropicMeta, () => anthropic.messages.create({ ...ANTHROPIC_PARAMS, stream: true }));
    const resolvedAt = performance.now();
    let lastEventAt = 0;
    for await (const _ of stream) lastEventAt = performance.now();
    const span = oneChat();
    // Span times are epoch based; performance.now() counts from timeOrigin.
    const epoch = (t: number) => performance.timeOrigin + t;
    // The 7 events are 25 ms apart: the read goes on well after create() resolved.
    expect(lastEventAt - resolvedAt).toBeGreaterThan(100);
    expect(msOf(span.startTime)).toBeLessThanOrEqual(epoch(resolvedAt));
    expect(msOf(span.endTime)).toBeGreaterThanOrEqual(epoch(lastEventAt) - 1);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(75);
  });

  it('an abandoned stream (break after the first event) still ends its span, with the usage seen so far', async () => {
    const stream = await traceModelCall(anthropicMeta, () => anthropic.messages.create({ ...ANTHROPIC_PARAMS, stream: true }));
    let first: string | undefined;
    for await (const ev of stream) {
      first = ev.type;
      break;
    }
    expect(first).toBe('message_start');
    const span = oneChat();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(2420);
    // message_start carries a placeholder output count of 1; message_delta never came.
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(1);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a stream aborted before anyone reads it ends its span', async () => {
    const stream = await traceModelCall(anthropicMeta, () => anthropic.messages.create({ ...ANTHROPIC_PARAMS, stream: true }));
    expect(chatSpans()).toHaveLength(0);
    stream.controller.abort();
    expect(oneChat().attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('an error event mid-stream is recorded on the span and reaches the reader unchanged', async () => {
    const stream = await traceModelCall({ provider: 'anthropic', model: 'error-mid-stream' }, () =>
      anthropic.messages.create({ ...ANTHROPIC_PARAMS, model: 'error-mid-stream', stream: true }),
    );
    const seen: string[] = [];
    let caught: unknown;
    try {
      for await (const ev of stream) seen.push(ev.type);
    } catch (err) {
      caught = err;
    }
    expect(seen).toEqual(['message_start', 'content_block_delta']);
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect((caught as Error).message).toContain('Overloaded');
    const span = oneChat();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: (caught as Error).message });
    expect(span.attributes['error.type']).toBe('APIError');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(2420);
  });

  it('messages.stream() (MessageStream): the span ends with finalMessage(), never iterated', async () => {
    const stream = traceModelCall(anthropicMeta, () => anthropic.messages.stream(ANTHROPIC_PARAMS));
    expect(typeof stream.finalMessage).toBe('function');
    const message = await stream.finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hello from the fake model' });
    await tick();
    const span = oneChat();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(2420);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(75);
    expect(span.attributes['fulcrum.cost.usd']).toBe(ANTHROPIC_COST);
  });

  it('messages.stream() failing with HTTP 400: recorded on the span, the caller gets the BadRequestError', async () => {
    const stream = traceModelCall(anthropicMeta, () => anthropic.messages.stream({ ...ANTHROPIC_PARAMS, model: 'http-400' }));
    const caught = await stream.finalMessage().catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Anthropic.BadRequestError);
    await tick();
    const span = oneChat();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('BadRequestError');
  });
});

describe('OpenAI streams', () => {
  const chatParams = { model: 'gpt-4.1', messages: [{ role: 'user' as const, content: 'hi' }] };
  const meta = { provider: 'openai', model: 'gpt-4.1' };

  it('chat.completions with include_usage: tokens and exact cost from the final chunk', async () => {
    const stream = await traceModelCall(meta, () => openai.chat.completions.create({ ...chatParams, stream: true, stream_options: { include_usage: true } }));
    expect(stream).toBeInstanceOf(OpenAIStream);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the fake model');
    const a = oneChat().attributes;
    expect(a).toMatchObject({
      'gen_ai.usage.input_tokens': 1500,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.cache_read.input_tokens': 600,
      'gen_ai.response.model': 'gpt-4.1-2025-04-14',
      'gen_ai.response.id': 'chatcmpl_s1',
      'fulcrum.cost.usd': OPENAI_CHAT_COST,
    });
    expect(OPENAI_CHAT_COST).toBeCloseTo(0.0037, 12);
  });

  it('chat.completions: streamed = not streamed', async () => {
    await traceModelCall(meta, () => openai.chat.completions.create(chatParams));
    const unstreamed = oneChat().attributes;
    cap.exporter.reset();
    for await (const _ of await traceModelCall(meta, () => openai.chat.completions.create({ ...chatParams, stream: true, stream_options: { include_usage: true } })));
    expect(oneChat().attributes).toEqual(unstreamed);
  });

  it('chat.completions.stream() helper (ChatCompletionStream): watched through its chunk events', async () => {
    const stream = traceModelCall(meta, () => openai.chat.completions.stream({ ...chatParams, stream_options: { include_usage: true } }));
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0].message.content).toBe('Hello from the fake model');
    await tick();
    expect(oneChat().attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 1500, 'gen_ai.usage.output_tokens': 200, 'fulcrum.cost.usd': OPENAI_CHAT_COST });
  });

  it('tee(): one span, ended when a branch has been read, with the usage', async () => {
    const stream = await traceModelCall(meta, () => openai.chat.completions.create({ ...chatParams, stream: true, stream_options: { include_usage: true } }));
    const [left, right] = stream.tee();
    let n = 0;
    for await (const _ of left) n++;
    expect(n).toBe(5);
    expect(oneChat().attributes['gen_ai.usage.output_tokens']).toBe(200);
    for await (const _ of right) n++;
    expect(n).toBe(10);
    expect(chatSpans()).toHaveLength(1);
  });

  it('responses.create: usage from response.completed, same as not streamed', async () => {
    const rmeta = { provider: 'openai', model: 'gpt-5.1' };
    await traceModelCall(rmeta, () => openai.responses.create({ model: 'gpt-5.1', input: 'hi' }));
    const unstreamed = oneChat().attributes;
    cap.exporter.reset();
    const stream = await traceModelCall(rmeta, () => openai.responses.create({ model: 'gpt-5.1', input: 'hi', stream: true }));
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    expect(types.at(-1)).toBe('response.completed');
    const a = oneChat().attributes;
    expect(a).toEqual(unstreamed);
    expect(a).toMatchObject({ 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 1500, 'gen_ai.response.id': 'resp_s1' });
    expect(a['fulcrum.cost.usd']).toBe(OPENAI_RESPONSES_COST);
  });

  it('an error chunk mid-stream is recorded and rethrown', async () => {
    const stream = await traceModelCall({ provider: 'openai', model: 'error-mid-stream' }, () =>
      openai.chat.completions.create({ ...chatParams, model: 'error-mid-stream', stream: true }),
    );
    const caught = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    const span = oneChat();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    // OpenAI's errors keep the name Error, so the class name is recorded.
    expect(span.attributes['error.type']).toBe('APIError');
  });
});

describe('Google generateContentStream', () => {
  const meta = { provider: 'gcp.gemini', model: 'gemini-2.5-flash' };
  const params = { model: 'gemini-2.5-flash', contents: 'hi' };

  it('usage from the last chunk, same attributes and cost as generateContent', async () => {
    const response = await traceModelCall(meta, () => google.models.generateContent(params));
    expect(response.text).toBe('Hello from the fake model');
    const unstreamed = oneChat().attributes;
    cap.exporter.reset();
    const stream = await traceModelCall(meta, () => google.models.generateContentStream(params));
    await tick();
    expect(chatSpans()).toHaveLength(0);
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('Hello from the fake model');
    const a = oneChat().attributes;
    expect(a).toEqual(unstreamed);
    expect(a).toMatchObject({
      'gen_ai.usage.input_tokens': 800,
      'gen_ai.usage.output_tokens': 80,
      'gen_ai.usage.cache_read.input_tokens': 300,
      'gen_ai.response.model': 'gemini-2.5-flash',
      'gen_ai.response.id': 'gresp_s1',
    });
    expect(a['fulcrum.cost.usd']).toBe(GOOGLE_COST);
  });

  it('direct next() calls on the generator are seen too, and return() ends the span', async () => {
    const stream = await traceModelCall(meta, () => google.models.generateContentStream(params));
    const first = await stream.next();
    expect(first.done).toBe(false);
    expect(chatSpans()).toHaveLength(0);
    await stream.return(undefined);
    const a = oneChat().attributes;
    // Only the first chunk was read: its usageMetadata has the prompt but no output yet.
    expect(a['gen_ai.usage.input_tokens']).toBe(800);
    expect(a['gen_ai.usage.output_tokens']).toBeUndefined();
  });
});

describe('an async generator of your own', () => {
  it('the span covers the generator, and a throw inside it is recorded and rethrown', async () => {
    class Boom extends Error {
      override name = 'Boom';
    }
    async function* events() {
      yield { type: 'message_start', message: { id: 'm', model: 'claude-haiku-4-5', usage: { input_tokens: 10, output_tokens: 1 } } };
      throw new Boom('lost the connection');
    }
    const gen = traceModelCall({ provider: 'anthropic', model: 'claude-haiku-4-5' }, () => events());
    const caught = await (async () => {
      for await (const _ of gen);
    })().catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Boom);
    const span = oneChat();
    expect(span.attributes['error.type']).toBe('Boom');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(10);
  });
});
