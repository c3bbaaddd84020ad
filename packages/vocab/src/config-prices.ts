import { DEFAULT_PRICES, createPriceTable, normaliseModelName, type ModelPrice, type PriceTable } from './prices.js';

/** The fields of a price in the config file, all required, $ per million tokens. */
export const PRICE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;

/** One model (or family, ending in "-") priced in the config file's `prices` section. */
export interface ConfiguredPrice {
  /** The key as normalised for matching (lower case, no date or provider prefix). */
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** A `prices` entry refused: the dotted key and why; `unknownField` names a field that is not a price's, for a "did you mean". */
export class PriceSectionError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
    readonly unknownField?: string,
  ) {
    super(`${key}: ${reason}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const shown = (raw: unknown) => {
  const s = JSON.stringify(raw) ?? String(raw);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * The config file's `prices` section: `{ "<model or family->": { input, output,
 * cacheRead, cacheWrite } }`, each a $ per million tokens >= 0. The one reader
 * of it: the server's config loader and the guard's hook both call it, so both
 * price a model the same way.
 */
export function parsePriceSection(body: unknown): ConfiguredPrice[] {
  if (!isObject(body)) throw new PriceSectionError('prices', `must be an object of model names to prices, got ${shown(body)}`);
  const out: ConfiguredPrice[] = [];
  for (const [name, raw] of Object.entries(body)) {
    const key = `prices.${name}`;
    const model = normaliseModelName(name);
    if (!model || model === '-') throw new PriceSectionError(key, 'is not a model name');
    if (!isObject(raw)) throw new PriceSectionError(key, `must be { "input": $, "output": $, "cacheRead": $, "cacheWrite": $ } per million tokens, got ${shown(raw)}`);
    for (const field of Object.keys(raw)) {
      if (!(PRICE_FIELDS as readonly string[]).includes(field)) throw new PriceSectionError(`${key}.${field}`, `unknown key (a price has ${PRICE_FIELDS.join(', ')})`, field);
    }
    const entry = { model } as ConfiguredPrice;
    for (const field of PRICE_FIELDS) {
      const v = raw[field];
      if (v === undefined) throw new PriceSectionError(`${key}.${field}`, `missing (a price has ${PRICE_FIELDS.join(', ')}, $ per million tokens)`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new PriceSectionError(`${key}.${field}`, `must be a non-negative number ($ per million tokens), got ${shown(v)}`);
      entry[field] = v;
    }
    out.push(entry);
  }
  return out;
}

/** A configured price as the price table takes it; whose cache accounting applies follows the model's name. */
export function modelPriceOf(e: ConfiguredPrice): ModelPrice {
  const known = DEFAULT_PRICES[e.model]?.provider;
  const provider = known ?? (/^claude/.test(e.model) ? 'anthropic' : /^(gpt|o\d|codex)/.test(e.model) ? 'openai' : /^gemini/.test(e.model) ? 'google' : 'other');
  return { input: e.input, output: e.output, cacheRead: e.cacheRead, cacheWrite: e.cacheWrite, provider };
}

/** The built-in table with the configured prices on top (the built-in table itself when none). */
export function priceTableOf(prices: readonly ConfiguredPrice[]): PriceTable {
  return prices.length === 0 ? DEFAULT_PRICES : createPriceTable(Object.fromEntries(prices.map((e) => [e.model, modelPriceOf(e)])));
}
