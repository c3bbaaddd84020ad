/** instrumentGoogleGenAI: `chat {model}` spans for one @google/genai client, streams included. */
import { wrapModelMethod, requestModel, type InstrumentClientOptions } from './instrument-client.js';

/** The part of a GoogleGenAI client that is instrumented. */
export interface GoogleGenAIClientLike {
  models: { generateContent(...args: never[]): unknown; generateContentStream(...args: never[]): unknown };
  /** True for a Vertex AI client. */
  readonly vertexai?: boolean;
}

export type InstrumentGoogleGenAIOptions = InstrumentClientOptions;

/**
 * Wraps `client.models.generateContent` and `generateContentStream` of this
 * one client and returns the same client; `chats` use the same `models`, so
 * chat sessions are traced too. The provider is `gcp.vertex_ai` for a Vertex
 * AI client and `gcp.gemini` otherwise. A streamed call's span ends when its
 * stream has been read, with the usage of the last chunk. With automatic
 * function calling, one generateContent may make several requests; its span
 * covers them all and records the usage of the last response only.
 * Instrumenting twice changes nothing.
 */
export function instrumentGoogleGenAI<C extends GoogleGenAIClientLike>(client: C, options: InstrumentGoogleGenAIOptions = {}): C {
  const meta = (params: unknown) => ({
    provider: options.provider ?? (client.vertexai ? 'gcp.vertex_ai' : 'gcp.gemini'),
    model: requestModel(params),
    attributes: options.attributes,
  });
  wrapModelMethod(client.models, 'generateContent', meta);
  wrapModelMethod(client.models, 'generateContentStream', meta);
  return client;
}
