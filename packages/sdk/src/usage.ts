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

/** Reads usage from an Anthropic, OpenAI (chat or responses) or Google response; undefined when none. */
export function extractUsage(result: unknown): TokenUsage | undefined {
  const r = obj(result);
  if (!r) return undefined;
  let usage: TokenUsage | undefined;
  const u = obj(r.usage);
  const g = obj(r.usageMetadata) ?? obj(obj(r.response)?.usageMetadata);
  if (u && ('prompt_tokens' in u || 'completion_tokens' in u)) usage = openAiChat(u);
  else if (u && ('cache_read_input_tokens' in u || 'cache_creation_input_tokens' in u)) usage = anthropic(u);
  else if (u && 'input_tokens_details' in u) usage = openAiResponses(u);
  else if (u && 'input_tokens' in u) usage = text(r.object) === 'response' ? openAiResponses(u) : anthropic(u);
  else if (g) usage = google(g);
  if (!usage) return undefined;
  usage.responseModel = text(r.model) ?? text(r.modelVersion);
  usage.responseId = text(r.id) ?? text(r.responseId);
  return usage;
}
