/**
 * Token usage read from a model stream's events as they pass, for the four
 * wire formats Fulcrum knows. The events are folded into the response the same
 * call would have returned unstreamed, which extractUsage then reads, so a
 * streamed call and an unstreamed one give the same attributes and cost.
 */
import { extractUsage, type TokenUsage, type UsageFormat } from './usage.js';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' ? (v as Obj) : undefined);

/** Copies the fields of `from` that are set (not null or undefined) onto `onto`. */
function mergeSet(onto: Obj, from: Obj): void {
  for (const [k, v] of Object.entries(from)) if (v !== null && v !== undefined) onto[k] = v;
}

/**
 * Folds stream events into a response-shaped object. Every step keeps the
 * latest value rather than adding up, because the providers send cumulative
 * counts (Anthropic's message_delta output_tokens, Google's usageMetadata) and
 * because a tee'd stream shows each event to more than one reader.
 */
export class StreamUsage {
  private format: UsageFormat | undefined;
  private readonly response: Obj = {};

  /** Reads one event; ignores anything it does not recognise. */
  observe(event: unknown): void {
    const e = obj(event);
    if (!e) return;
    const type = typeof e.type === 'string' ? e.type : '';
    if (type === 'message_start') this.anthropicStart(obj(e.message));
    else if (type === 'message_delta') this.anthropicDelta(obj(e.usage));
    else if (e.object === 'chat.completion.chunk') this.openAiChunk(e);
    else if (type.startsWith('response.') && obj(e.response)) this.openAiResponse(obj(e.response)!);
    else if (obj(e.usageMetadata) || Array.isArray(e.candidates)) this.google(e);
  }

  /** Usage seen so far; undefined when no event carried any. */
  usage(): TokenUsage | undefined {
    return this.format ? extractUsage(this.response, this.format) : undefined;
  }

  // Anthropic: message_start carries input and cache counts, message_delta the running output count.
  private anthropicStart(message: Obj | undefined): void {
    if (!message) return;
    this.format = 'anthropic';
    this.response.id = message.id;
    this.response.model = message.model;
    this.response.usage = { ...obj(message.usage) };
  }

  private anthropicDelta(usage: Obj | undefined): void {
    if (!usage) return;
    this.format = 'anthropic';
    const current = (obj(this.response.usage) ?? (this.response.usage = {})) as Obj;
    mergeSet(current, usage);
  }

  // OpenAI chat completions: usage arrives on the last chunk (stream_options.include_usage).
  private openAiChunk(chunk: Obj): void {
    this.format = 'openai-chat';
    mergeSet(this.response, { id: chunk.id, model: chunk.model });
    if (obj(chunk.usage)) this.response.usage = chunk.usage;
  }

  // OpenAI responses: the response object rides on response.created/.completed/.incomplete/.failed.
  private openAiResponse(response: Obj): void {
    this.format = 'openai-responses';
    mergeSet(this.response, { id: response.id, model: response.model });
    if (obj(response.usage)) this.response.usage = response.usage;
  }

  // Google: every chunk may carry usageMetadata; the last one has the totals.
  private google(chunk: Obj): void {
    this.format = 'google';
    mergeSet(this.response, { modelVersion: chunk.modelVersion, responseId: chunk.responseId });
    if (obj(chunk.usageMetadata)) this.response.usageMetadata = chunk.usageMetadata;
  }
}
