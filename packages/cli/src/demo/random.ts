import { createHash } from 'node:crypto';

/** A seeded PRNG (mulberry32): the demo sends the same week every run, so re-runs deduplicate. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

/** Deterministic hex id of `bytes` bytes for a name. */
export const idOf = (name: string, bytes: number) => createHash('sha256').update(name).digest('hex').slice(0, bytes * 2);
