import { describe, expect, it } from 'vitest';
import { createPriceTable, DEFAULT_PRICES, findPrice, normaliseModelName, priceModelCall } from '../../packages/vocab/src/index.js';

describe('normaliseModelName', () => {
  it.each([
    ['claude-opus-4-8[1m]', 'claude-opus-4-8'],
    ['Claude-Sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['anthropic/claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['claude-opus-4-1@20250805', 'claude-opus-4-1'],
    ['gpt-4.1-2025-04-14', 'gpt-4.1'],
    ['openai/gpt-5-codex', 'gpt-5-codex'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
  ])('%s → %s', (raw, want) => expect(normaliseModelName(raw)).toBe(want));
});

describe('findPrice', () => {
  it.each([
    ['claude-opus-4-8[1m]', 5, 25],
    ['claude-opus-4-5-20251101', 5, 25],
    ['claude-opus-4-1-20250805', 15, 75],
    ['claude-opus-4-20250514', 15, 75],
    ['claude-sonnet-4-5-20250929', 3, 15],
    ['claude-sonnet-4-20250514', 3, 15],
    ['claude-haiku-4-5', 1, 5],
    ['gpt-5', 1.25, 10],
    ['gpt-5-codex', 1.25, 10],
    ['gpt-5.1-codex-max', 1.25, 10],
    ['gpt-5.1-codex-mini', 0.25, 2],
    ['gpt-5-mini-2025-08-07', 0.25, 2],
    ['gpt-4.1-mini', 0.4, 1.6],
    ['gpt-4.1', 2, 8],
    ['o3', 2, 8],
    ['o4-mini', 1.1, 4.4],
    ['gemini-2.5-pro', 1.25, 10],
    ['gemini-2.5-flash-lite', 0.1, 0.4],
    ['gemini-2.5-flash', 0.3, 2.5],
    ['gemini-3-pro-preview', 2, 12],
    ['gemini-3-flash-preview', 0.5, 3],
  ])('%s costs %d/%d per MTok', (model, input, output) => {
    const p = findPrice(model);
    expect(p).toBeDefined();
    expect([p!.input, p!.output]).toEqual([input, output]);
  });

  it.each(['llama-3-70b', 'gpt-50', 'o33', 'claude-opus', 'mistral-large', ''])('does not price %j', (model) => {
    expect(findPrice(model)).toBeUndefined();
  });
});

describe('priceModelCall', () => {
  it('prices Anthropic usage where input excludes cache tokens', () => {
    const r = priceModelCall({ model: 'claude-sonnet-4-5', inputTokens: 1000, outputTokens: 500, cacheReadTokens: 10_000, cacheWriteTokens: 2000 });
    // 1000*3 + 500*15 + 10000*0.3 + 2000*3.75 = 3000 + 7500 + 3000 + 7500 = 21000 micro-dollars
    expect(r.priced).toBe(true);
    expect(r.costUsd).toBeCloseTo(0.021, 10);
  });

  it('does not bill OpenAI cached tokens twice', () => {
    const r = priceModelCall({ model: 'gpt-5', inputTokens: 10_000, outputTokens: 1000, cacheReadTokens: 8000 });
    // (10000-8000)*1.25 + 1000*10 + 8000*0.125 = 2500 + 10000 + 1000
    expect(r.costUsd).toBeCloseTo(0.0135, 10);
  });

  it('honours an explicit inputIncludesCacheRead/Write (semconv totals)', () => {
    const total = priceModelCall({ model: 'claude-sonnet-4-5', inputTokens: 13_000, outputTokens: 500, cacheReadTokens: 10_000, cacheWriteTokens: 2000, inputIncludesCacheRead: true, inputIncludesCacheWrite: true });
    expect(total.costUsd).toBeCloseTo(0.021, 10);
    const gem = priceModelCall({ model: 'gemini-2.5-pro', inputTokens: 1000, cacheReadTokens: 400, inputIncludesCacheRead: false });
    expect(gem.costUsd).toBeCloseTo((1000 * 1.25 + 400 * 0.125) / 1e6, 12);
  });

  it('reports unknown models as unpriced with zero cost', () => {
    expect(priceModelCall({ model: 'my-local-model', inputTokens: 100, outputTokens: 100 })).toEqual({ costUsd: 0, priced: false });
  });

  it('treats missing, negative and non-finite counts as zero', () => {
    expect(priceModelCall({ model: 'o3', inputTokens: -5, outputTokens: Number.NaN })).toEqual({ costUsd: 0, priced: true });
  });

  it('never goes negative when cached exceeds input', () => {
    const r = priceModelCall({ model: 'gpt-5', inputTokens: 100, cacheReadTokens: 1000 });
    expect(r.costUsd).toBeCloseTo((1000 * 0.125) / 1e6, 12);
  });
});

describe('createPriceTable', () => {
  it('overrides, adds and removes models without touching the defaults', () => {
    const t = createPriceTable({
      'claude-sonnet-4-5': { input: 1, output: 2, cacheRead: 0, cacheWrite: 0, provider: 'anthropic' },
      'acme/my-model-20250101': { input: 10, output: 10, cacheRead: 1, cacheWrite: 0, provider: 'other' },
      o3: null,
    });
    expect(priceModelCall({ model: 'claude-sonnet-4-5-20250929', inputTokens: 1e6 }, t).costUsd).toBe(1);
    expect(priceModelCall({ model: 'claude-sonnet-4', inputTokens: 1e6 }, t).costUsd).toBe(3);
    expect(priceModelCall({ model: 'my-model', outputTokens: 1e6 }, t)).toEqual({ costUsd: 10, priced: true });
    expect(priceModelCall({ model: 'o3', inputTokens: 1 }, t).priced).toBe(false);
    expect(findPrice('o3', DEFAULT_PRICES)).toBeDefined();
    expect(Object.isFrozen(t)).toBe(true);
  });
});
