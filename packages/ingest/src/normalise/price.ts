import { DEFAULT_PRICES, priceModelCall, type PriceTable } from '@fulcrum/vocab';
import type { SpanRow } from '@fulcrum/store';

/**
 * Stored InputTokens are the uncached input tokens, whatever the source, so
 * input + output + cache read + cache write is the total everywhere. OpenAI
 * and Gemini report input including the cached tokens; this takes them out.
 */
export function excludeCachedInput(row: SpanRow): void {
  row.InputTokens = Math.max(0, row.InputTokens - row.CacheReadTokens - row.CacheWriteTokens);
}

/**
 * Prices a model call from the price table, for harnesses that send no cost
 * (Codex, Gemini CLI). A model the table does not know is unpriced
 * (Priced=false, cost 0 not counted as a price).
 */
export function priceRow(row: SpanRow, prices: PriceTable = DEFAULT_PRICES): void {
  const priced = priceModelCall({
    model: row.Model,
    inputTokens: row.InputTokens,
    outputTokens: row.OutputTokens,
    cacheReadTokens: row.CacheReadTokens,
    cacheWriteTokens: row.CacheWriteTokens,
    inputIncludesCacheRead: false,
    inputIncludesCacheWrite: false,
  }, prices);
  row.CostUsd = priced.costUsd;
  // Unknown model: the cost is unknown, not zero.
  row.Priced = priced.priced;
}
