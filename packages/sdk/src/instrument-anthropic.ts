/** instrumentAnthropic: `chat {model}` spans for one @anthropic-ai/sdk client, streams included. */
import { wrapModelMethod, requestModel, type InstrumentClientOptions } from './instrument-client.js';

/** The part of an Anthropic client that is instrumented. */
export interface AnthropicClientLike {
  messages: { create(...args: never[]): unknown };
}

export type InstrumentAnthropicOptions = InstrumentClientOptions;

/**
 * Wraps `client.messages.create` of this one client (no module is patched) and
 * returns the same client. `messages.stream()` and `messages.parse()` call
 * `create()`, so they are traced by the same span. The APIPromise that
 * create() returns is returned as is (`.withResponse()`, `.asResponse()` keep
 * working); a streamed call's span ends when its stream has been read.
 * Instrumenting a client twice changes nothing.
 */
export function instrumentAnthropic<C extends AnthropicClientLike>(client: C, options: InstrumentAnthropicOptions = {}): C {
  wrapModelMethod(client.messages, 'create', (params) => ({
    provider: options.provider ?? 'anthropic',
    model: requestModel(params),
    attributes: options.attributes,
  }));
  return client;
}
