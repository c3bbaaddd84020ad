import { priceModelCall } from '@fulcrum/sdk/prices';
import type { SpanRow } from '@fulcrum/store';

/**
 * Prices a model call from the SDK's table, for harnesses that send no cost
 * (Codex, Gemini CLI). `inputIncludesCache` says whether InputTokens already
 * counts the cached tokens (OpenAI and Gemini do; Anthropic does not).
 */
export function priceRow(row: SpanRow, inputIncludesCache: boolean): void {
  const priced = priceModelCall({
    model: row.Model,
    inputTokens: row.InputTokens,
    outputTokens: row.OutputTokens,
    cacheReadTokens: row.CacheReadTokens,
    cacheWriteTokens: row.CacheWriteTokens,
    inputIncludesCacheRead: inputIncludesCache,
  });
  row.CostUsd = priced.costUsd;
  // Unknown model: the cost is unknown, not zero.
  row.Priced = priced.priced;
}
