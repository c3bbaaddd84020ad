import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../packages/vocab/src/index.js';

/** Reference: sorted keys at every depth, built as a string (objects reorder integer keys). */
function ref(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(ref).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + ref((v as Record<string, unknown>)[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

describe('stableStringify', () => {
  it('equals the sorted-keys reference for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => stableStringify(v) === ref(v)), { numRuns: 500 });
  });
  it('is independent of key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (d) => {
        const reversed = Object.fromEntries(Object.entries(d).reverse());
        return stableStringify(d) === stableStringify(reversed);
      }),
      { numRuns: 300 },
    );
  });
  it('handles integer-like keys, Dates, toJSON and deep nesting like the reference', () => {
    expect(stableStringify({ b: 1, 10: 'x', 2: 'y', a: [{ d: 1, c: 2 }] })).toBe('{"10":"x","2":"y","a":[{"c":2,"d":1}],"b":1}');
    expect(stableStringify({ at: new Date(0), bad: new Date(Number.NaN) })).toBe('{"at":"1970-01-01T00:00:00.000Z","bad":null}');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = { z: deep, a: i };
    expect(stableStringify(deep)).toBe(ref(deep));
  });
});
