/**
 * Leverage weights. Each activity's weight is (frequency + time saved) / 2,
 * both rated on the same four levels, so teams can re-rate an activity in the
 * words they use rather than pick a number.
 */
export const LEVELS = { low: 0.25, medium: 0.5, high: 0.75, 'extremely-high': 1 } as const;
export type Level = keyof typeof LEVELS;

export const ACTIVITIES = ['linesAdded', 'linesRemoved', 'refactors', 'skills', 'mcp'] as const;
export type Activity = (typeof ACTIVITIES)[number];

export type Weights = Record<Activity, number>;
export type ActivityCounts = Record<Activity, number>;

/** A weight given by rating, not by number. */
export interface LevelRating {
  frequency: Level;
  timeSaved: Level;
}

/** Ratings that give the default weights 1, 0.875, 0.75, 1, 0.875. */
export const DEFAULT_RATINGS: Readonly<Record<Activity, LevelRating>> = {
  linesAdded: { frequency: 'extremely-high', timeSaved: 'extremely-high' },
  linesRemoved: { frequency: 'extremely-high', timeSaved: 'high' },
  refactors: { frequency: 'high', timeSaved: 'high' },
  skills: { frequency: 'extremely-high', timeSaved: 'extremely-high' },
  mcp: { frequency: 'high', timeSaved: 'extremely-high' },
};

export function weightOf(r: LevelRating): number {
  const f = LEVELS[r.frequency];
  const t = LEVELS[r.timeSaved];
  if (f === undefined || t === undefined) throw new RangeError(`unknown level in ${JSON.stringify(r)}: use ${Object.keys(LEVELS).join(', ')}`);
  return (f + t) / 2;
}

export const DEFAULT_WEIGHTS: Readonly<Weights> = Object.freeze(
  Object.fromEntries(ACTIVITIES.map((a) => [a, weightOf(DEFAULT_RATINGS[a])])) as Weights,
);

/** Overrides, each by number or by rating; the rest keep the defaults. */
export type WeightOverrides = Partial<Record<Activity, number | LevelRating>>;

export function resolveWeights(overrides: WeightOverrides = {}): Weights {
  const w = { ...DEFAULT_WEIGHTS };
  for (const [k, v] of Object.entries(overrides) as [Activity, number | LevelRating][]) {
    if (!ACTIVITIES.includes(k)) throw new RangeError(`unknown activity "${k}": use ${ACTIVITIES.join(', ')}`);
    const n = typeof v === 'number' ? v : weightOf(v);
    if (!Number.isFinite(n) || n < 0) throw new RangeError(`weight of ${k} must be a non-negative number, got ${v}`);
    w[k] = n;
  }
  return w;
}

/** Σ(activity × weight) / cost in $. Null when nothing was spent: leverage is undefined, not infinite. */
export function leverageScore(activity: ActivityCounts, costUsd: number, weights: Weights = DEFAULT_WEIGHTS): number | null {
  if (!(costUsd > 0)) return null;
  let sum = 0;
  for (const a of ACTIVITIES) sum += activity[a] * weights[a];
  return sum / costUsd;
}

/** The weights as the bound parameters of WEIGHTED_ACTIVITY_SQL. */
export function weightParams(w: Weights): Record<string, number> {
  return { wLinesAdded: w.linesAdded, wLinesRemoved: w.linesRemoved, wRefactors: w.refactors, wSkills: w.skills, wMcp: w.mcp };
}
