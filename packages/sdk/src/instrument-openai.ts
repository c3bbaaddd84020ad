/** instrumentOpenAI: `chat {model}` spans for one openai client, streams included. */
import { wrapModelMethod, requestModel, type InstrumentClientOptions } from './instrument-client.js';

type Create = { create(...args: never[]): unknown };

/** The parts of an OpenAI client that are instrumented (either may be missing). */
export interface OpenAIClientLike {
  chat?: { completions?: Create };
  responses?: Create;
}

export type InstrumentOpenAIOptions = InstrumentClientOptions;

/**
 * Wraps `client.chat.completions.create` and `client.responses.create` of this
 * one client and returns the same client. The SDK's helpers
 * (`chat.completions.stream()`/`.parse()`, `responses.stream()`/`.parse()`)
 * call these, so they are traced too. The APIPromise is returned as is; a
 * streamed call's span ends when its stream has been read, with usage from the
 * final chunk (chat: only when `stream_options: { include_usage: true }`) or
 * the `response.completed` event. Instrumenting twice changes nothing.
 */
export function instrumentOpenAI<C extends OpenAIClientLike>(client: C, options: InstrumentOpenAIOptions = {}): C {
  const meta = (params: unknown) => ({ provider: options.provider ?? 'openai', model: requestModel(params), attributes: options.attributes });
  wrapModelMethod(client.chat?.completions, 'create', meta);
  wrapModelMethod(client.responses, 'create', meta);
  return client;
}
