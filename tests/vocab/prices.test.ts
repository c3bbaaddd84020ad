import { describe, expect, it } from 'vitest';
import { createPriceTable, findPrice, priceModelCall } from '../../packages/vocab/src/index.js';

/** Only exact entries and explicit families (keys ending in "-") price a model. */
describe('findPrice: exact entries and explicit families only', () => {
  it.each([
    ['claude-sonnet-4-5', 3, 15],
    ['claude-sonnet-4-5-20250929', 3, 15],
    ['claude-haiku-4-5', 1, 5],
    ['claude-haiku-4-5-20251001', 1, 5],
    ['claude-opus-4-8', 5, 25],
    ['claude-opus-4-1', 15, 75],
    ['gpt-5.1', 1.25, 10],
    ['gpt-5.1-codex', 1.25, 10],
    ['gpt-5.1-codex-max', 1.25, 10],
    ['gpt-5-codex', 1.25, 10],
    ['gpt-5-codex-mini', 0.25, 2],
    ['gemini-2.5-flash-preview-09-2025', 0.3, 2.5],
    ['gemini-2.5-flash-lite-preview-09-2025', 0.1, 0.4],
    ['gemini-3-pro-preview', 2, 12],
    ['gemini-3-flash-preview', 0.5, 3],
  ])('%s is priced at %d/%d per MTok', (model, input, output) => {
    const p = findPrice(model);
    expect(p && [p.input, p.output]).toEqual([input, output]);
  });

  it.each(['gemini-3.1-flash', 'gemini-3.1-pro-preview', 'claude-foo-9', 'gpt-6', 'gpt-5.3', 'claude-haiku-4-7', 'gemini-3', 'gpt-4o-audio-preview'])(
    '%s is unpriced, not priced as a neighbour',
    (model) => {
      expect(findPrice(model)).toBeUndefined();
      expect(priceModelCall({ model, inputTokens: 1e6, outputTokens: 1e6 })).toEqual({ costUsd: 0, priced: false });
    },
  );

  it('exact beats family, and the longest family wins', () => {
    const p = (input: number) => ({ input, output: 0, cacheRead: 0, cacheWrite: 0, provider: 'other' as const });
    const t = createPriceTable({ 'acme-': p(1), 'acme-big-': p(2), 'acme-big-1': p(3) }, {});
    expect(findPrice('acme-small', t)?.input).toBe(1);
    expect(findPrice('acme-big-2', t)?.input).toBe(2);
    expect(findPrice('acme-big-1', t)?.input).toBe(3);
    expect(findPrice('acme', t)).toBeUndefined();
    expect(findPrice('acme-', t)).toBeUndefined();
    // A family added for a new line prices it; the defaults stay as they were.
    const gemini = createPriceTable({ 'gemini-3.1-': { input: 0.5, output: 3, cacheRead: 0.05, cacheWrite: 0, provider: 'google' } });
    expect(priceModelCall({ model: 'gemini-3.1-flash', inputTokens: 1e6 }, gemini)).toEqual({ costUsd: 0.5, priced: true });
    expect(findPrice('gemini-3.1-flash')).toBeUndefined();
  });
});
