/**
 * Model prices in USD per million tokens, and the cost of one model call.
 *
 * Cache accounting differs by provider, so callers must say what their input
 * count includes (or let the matched entry's provider decide):
 * - Anthropic: `usage.input_tokens` EXCLUDES cache reads and cache writes; they
 *   are reported separately (`cache_read_input_tokens`, `cache_creation_input_tokens`).
 * - OpenAI (`prompt_tokens` / `input_tokens`) and Gemini (`promptTokenCount`)
 *   INCLUDE cached tokens (`cached_tokens`, `cachedContentTokenCount`).
 * - The GenAI semantic conventions' `gen_ai.usage.input_tokens` includes all
 *   input tokens, cached ones too; the tracing wrappers record that total.
 * Pricing an included count as if it were separate would bill cached tokens twice.
 */

/** Prices of one model, USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cache read (hit). */
  cacheRead: number;
  /** Cache write (creation); 0 for providers that do not bill it. */
  cacheWrite: number;
  /** Whose accounting applies when the caller does not say. */
  provider: 'anthropic' | 'openai' | 'google' | 'other';
}

/**
 * Keys are normalised model names (see normaliseModelName). Only two kinds of
 * key match, so a model nobody listed is unpriced rather than priced as a
 * neighbour:
 * - an exact key (`claude-sonnet-4-5`, `gpt-5.1`) matches that name only;
 * - a family key ends with `-` (`claude-opus-4-`, `gemini-3-pro-`) and matches
 *   every name starting with it: a family is listed on purpose, when its
 *   members share a price.
 * An exact key beats any family; among families the longest wins. So
 * `gemini-3.1-flash`, `claude-foo-9` and `gpt-6` are unpriced (Priced=false,
 * not $0 counted as a price) until someone adds them.
 */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const a = (input: number, output: number): ModelPrice => ({
  input,
  output,
  cacheRead: input / 10,
  cacheWrite: input * 1.25,
  provider: 'anthropic',
});
const o = (input: number, output: number, cacheRead: number): ModelPrice => ({ input, output, cacheRead, cacheWrite: 0, provider: 'openai' });
const g = (input: number, output: number, cacheRead: number): ModelPrice => ({ input, output, cacheRead, cacheWrite: 0, provider: 'google' });

/** List prices (standard tier, prompts under 200k tokens) as of late 2025. Family keys end with `-`. */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  // Opus 4 and 4.1 kept the old price; 4.5 and later cost a third.
  'claude-opus-4': a(15, 75),
  'claude-opus-4-0': a(15, 75),
  'claude-opus-4-1': a(15, 75),
  'claude-opus-4-': a(5, 25),
  'claude-sonnet-4': a(3, 15),
  'claude-sonnet-4-': a(3, 15),
  'claude-haiku-4': a(1, 5),
  'claude-haiku-4-5': a(1, 5),
  'claude-3-7-sonnet': a(3, 15),
  'claude-3-5-sonnet': a(3, 15),
  'claude-3-5-haiku': a(0.8, 4),
  'claude-3-opus': a(15, 75),
  'claude-3-haiku': a(0.25, 1.25),
  'gpt-5': o(1.25, 10, 0.125),
  // gpt-5-codex, gpt-5-chat and later gpt-5-* variants; the cheaper ones are listed exactly.
  'gpt-5-': o(1.25, 10, 0.125),
  'gpt-5-mini': o(0.25, 2, 0.025),
  'gpt-5-nano': o(0.05, 0.4, 0.005),
  'gpt-5-pro': o(15, 120, 15),
  'gpt-5-codex-mini': o(0.25, 2, 0.025),
  'gpt-5.1': o(1.25, 10, 0.125),
  'gpt-5.1-codex': o(1.25, 10, 0.125),
  'gpt-5.1-codex-max': o(1.25, 10, 0.125),
  'gpt-5.1-codex-mini': o(0.25, 2, 0.025),
  'gpt-5.2': o(1.75, 14, 0.175),
  'gpt-5.2-codex': o(1.75, 14, 0.175),
  'gpt-4.1': o(2, 8, 0.5),
  'gpt-4.1-mini': o(0.4, 1.6, 0.1),
  'gpt-4.1-nano': o(0.1, 0.4, 0.025),
  'gpt-4o': o(2.5, 10, 1.25),
  'gpt-4o-mini': o(0.15, 0.6, 0.075),
  o3: o(2, 8, 0.5),
  'o3-mini': o(1.1, 4.4, 0.55),
  'o3-pro': o(20, 80, 20),
  'o4-mini': o(1.1, 4.4, 0.275),
  'codex-mini': o(1.5, 6, 0.375),
  'gemini-2.5-pro': g(1.25, 10, 0.125),
  'gemini-2.5-pro-preview-': g(1.25, 10, 0.125),
  'gemini-2.5-flash': g(0.3, 2.5, 0.03),
  'gemini-2.5-flash-preview-': g(0.3, 2.5, 0.03),
  'gemini-2.5-flash-lite': g(0.1, 0.4, 0.01),
  'gemini-2.5-flash-lite-preview-': g(0.1, 0.4, 0.01),
  'gemini-2.0-flash': g(0.1, 0.4, 0.025),
  'gemini-2.0-flash-001': g(0.1, 0.4, 0.025),
  'gemini-3-pro': g(2, 12, 0.2),
  'gemini-3-pro-': g(2, 12, 0.2),
  'gemini-3-flash': g(0.5, 3, 0.05),
  'gemini-3-flash-': g(0.5, 3, 0.05),
});

/** A table with overrides (and additions) on top of the defaults; `null` removes a model. */
export function createPriceTable(overrides: Record<string, ModelPrice | null> = {}, base: PriceTable = DEFAULT_PRICES): PriceTable {
  const table: Record<string, ModelPrice> = { ...base };
  for (const [model, price] of Object.entries(overrides)) {
    const key = normaliseModelName(model);
    if (price === null) delete table[key];
    else table[key] = price;
  }
  return Object.freeze(table);
}

/**
 * `Claude-Opus-4-8[1m]` → `claude-opus-4-8`; `anthropic/claude-sonnet-4-5-20250929` →
 * `claude-sonnet-4-5`; `us.anthropic.claude-haiku-4-5-20251001-v1:0` → `claude-haiku-4-5`;
 * `gpt-4.1-2025-04-14` → `gpt-4.1`; `models/gemini-2.5-pro` → `gemini-2.5-pro`.
 */
export function normaliseModelName(model: string): string {
  let m = model.trim().toLowerCase();
  m = m.replace(/\[[^\]]{0,32}\]$/, '');
  m = m.slice(m.lastIndexOf('/') + 1);
  m = m.replace(/^(?:[a-z]{2,6}\.)?(?:anthropic|openai|google|vertex_ai|bedrock)[.:]/, '');
  m = m.replace(/@[a-z0-9-]{0,32}$/, '');
  m = m.replace(/-v\d{1,3}(?::\d{1,3})?$/, '');
  m = m.replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/, '');
  return m;
}

/** True for a family key: it ends with `-` and matches every name starting with it. */
export const isFamilyKey = (key: string): boolean => key.endsWith('-');

/** The price entry for a model: its exact key, else the longest family key it starts with; undefined when unknown. */
export function findPrice(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  const name = normaliseModelName(model);
  if (!name) return undefined;
  const exact = Object.hasOwn(table, name) && !isFamilyKey(name) ? table[name] : undefined;
  if (exact) return exact;
  // Families by length, longest first: at most a few dozen keys, and callers that price many rows build one table.
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (isFamilyKey(key) && name.startsWith(key) && name.length > key.length && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

export interface ModelCallUsage {
  model: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** inputTokens already counts cacheReadTokens. Default: false for Anthropic models, true otherwise. */
  inputIncludesCacheRead?: boolean;
  /** inputTokens already counts cacheWriteTokens. Default: false. */
  inputIncludesCacheWrite?: boolean;
}

export interface ModelCallCost {
  /** USD; 0 when not priced. */
  costUsd: number;
  /** False when the model is not in the table: the cost is unknown, not zero. */
  priced: boolean;
}

const n = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** Cost of one model call from its token counts. */
export function priceModelCall(usage: ModelCallUsage, table: PriceTable = DEFAULT_PRICES): ModelCallCost {
  const price = findPrice(usage.model ?? '', table);
  if (!price) return { costUsd: 0, priced: false };
  const cacheRead = n(usage.cacheReadTokens);
  const cacheWrite = n(usage.cacheWriteTokens);
  let input = n(usage.inputTokens);
  if (usage.inputIncludesCacheRead ?? price.provider !== 'anthropic') input -= cacheRead;
  if (usage.inputIncludesCacheWrite ?? false) input -= cacheWrite;
  const micro =
    Math.max(0, input) * price.input +
    n(usage.outputTokens) * price.output +
    cacheRead * price.cacheRead +
    cacheWrite * price.cacheWrite;
  return { costUsd: micro / 1_000_000, priced: true };
}
