import { describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTS, leverageScore, resolveWeights, weightOf } from '@fulcrum/query';

describe('leverage score', () => {
  it('reproduces developer A (4.13) and developer B (7.95) with the default weights', () => {
    const a = leverageScore({ linesAdded: 2000, linesRemoved: 50, refactors: 20, skills: 2, mcp: 4 }, 500);
    const b = leverageScore({ linesAdded: 1500, linesRemoved: 75, refactors: 10, skills: 10, mcp: 8 }, 200);
    expect(a!.toFixed(2)).toBe('4.13');
    expect(b!.toFixed(2)).toBe('7.95');
  });
  it('has the documented default weights, each (frequency + time saved) / 2', () => {
    expect(DEFAULT_WEIGHTS).toEqual({ linesAdded: 1, linesRemoved: 0.875, refactors: 0.75, skills: 1, mcp: 0.875 });
    expect(weightOf({ frequency: 'low', timeSaved: 'extremely-high' })).toBe(0.625);
  });
  it('takes weights by number or by rating', () => {
    const w = resolveWeights({ linesAdded: 0.5, mcp: { frequency: 'medium', timeSaved: 'low' } });
    expect(w).toEqual({ ...DEFAULT_WEIGHTS, linesAdded: 0.5, mcp: 0.375 });
    expect(() => resolveWeights({ mcp: { frequency: 'huge' as 'low', timeSaved: 'low' } })).toThrow(/unknown level/);
  });
  it('is undefined, not infinite, when nothing was spent', () => {
    expect(leverageScore({ linesAdded: 10, linesRemoved: 0, refactors: 0, skills: 0, mcp: 0 }, 0)).toBeNull();
  });
});
