/**
 * Token usage from a provider response, in GenAI semantic-convention terms:
 * inputTokens INCLUDES cache reads and cache writes (Anthropic's own
 * input_tokens does not, so it is summed here).
 */

export interface TokenUsage {
  /** All input tokens, cached ones included. */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  responseModel?: string;
  responseId?: string;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' ? (v as Obj) : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function anthropic(u: Obj): TokenUsage {
  const input = int(u.input_tokens) ?? 0;
  const cacheRead = int(u.cache_read_input_tokens);
  const cacheWrite = int(u.cache_creation_input_tokens);
  return { inputTokens: input + (cacheRead ?? 0) + (cacheWrite ?? 0), outputTokens: int(u.output_tokens), cacheReadTokens: cacheRead, cacheWriteTokens: cacheWrite };
}

function openAiChat(u: Obj): TokenUsage {
  return { inputTokens: int(u.prompt_tokens), outputTokens: int(u.completion_tokens), cacheReadTokens: int(obj(u.prompt_tokens_details)?.cached_tokens) };
}

function openAiResponses(u: Obj): TokenUsage {
  return { inputTokens: int(u.input_tokens), outputTokens: int(u.output_tokens), cacheReadTokens: int(obj(u.input_tokens_details)?.cached_tokens) };
}

function google(u: Obj): TokenUsage {
  return { inputTokens: int(u.promptTokenCount), outputTokens: int(u.candidatesTokenCount), cacheReadTokens: int(u.cachedContentTokenCount) };
}

/** The response shapes extractUsage reads. */
export type UsageFormat = 'anthropic' | 'openai-chat' | 'openai-responses' | 'google';

const READERS: Record<UsageFormat, (u: Obj) => TokenUsage> = {
  anthropic,
  'openai-chat': openAiChat,
  'openai-responses': openAiResponses,
  google,
};

/** Which shape a response's usage has, from its field names; undefined when it carries none. */
function detectFormat(r: Obj): [UsageFormat, Obj] | undefined {
  const u = obj(r.usage);
  const g = obj(r.usageMetadata) ?? obj(obj(r.response)?.usageMetadata);
  if (u && ('prompt_tokens' in u || 'completion_tokens' in u)) return ['openai-chat', u];
  if (u && ('cache_read_input_tokens' in u || 'cache_creation_input_tokens' in u)) return ['anthropic', u];
  if (u && 'input_tokens_details' in u) return ['openai-responses', u];
  if (u && 'input_tokens' in u) return [text(r.object) === 'response' ? 'openai-responses' : 'anthropic', u];
  if (g) return ['google', g];
  return undefined;
}

/**
 * Reads usage from an Anthropic, OpenAI (chat or responses) or Google response;
 * undefined when none. `format` skips the guess from field names (streams know
 * which provider sent them, so a streamed call reads exactly like the same
 * call not streamed).
 */
export function extractUsage(result: unknown, format?: UsageFormat): TokenUsage | undefined {
  const r = obj(result);
  if (!r) return undefined;
  let found: [UsageFormat, Obj] | undefined;
  if (format) {
    const u = format === 'google' ? obj(r.usageMetadata) : obj(r.usage);
    found = u ? [format, u] : undefined;
  } else found = detectFormat(r);
  if (!found) return undefined;
  const usage = READERS[found[0]](found[1]);
  usage.responseModel = text(r.model) ?? text(r.modelVersion);
  usage.responseId = text(r.id) ?? text(r.responseId);
  return usage;
}
