import { priceModelCall } from '@fulcrum/vocab';
import type { SpanRow } from '@fulcrum/store';

/**
 * Stored InputTokens are the uncached input tokens, whatever the source, so
 * input + output + cache read + cache write is the total everywhere. OpenAI
 * and Gemini report input including the cached tokens; this takes them out.
 */
export function excludeCachedInput(row: SpanRow): void {
  row.InputTokens = Math.max(0, row.InputTokens - row.CacheReadTokens - row.CacheWriteTokens);
}

/** Prices a model call from the SDK's table, for harnesses that send no cost (Codex, Gemini CLI). */
export function priceRow(row: SpanRow): void {
  const priced = priceModelCall({
    model: row.Model,
    inputTokens: row.InputTokens,
    outputTokens: row.OutputTokens,
    cacheReadTokens: row.CacheReadTokens,
    cacheWriteTokens: row.CacheWriteTokens,
    inputIncludesCacheRead: false,
    inputIncludesCacheWrite: false,
  });
  row.CostUsd = priced.costUsd;
  // Unknown model: the cost is unknown, not zero.
  row.Priced = priced.priced;
}
