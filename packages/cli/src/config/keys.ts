import {
  ACTIVITIES, DEFAULT_MIN_GROUP_SIZE, DEFAULT_RATINGS, DEFAULT_WEIGHTS, LEVELS, RUNAWAY_DEFAULTS, ANALYSIS_DEFAULTS, weightOf,
  type Activity, type AnalysisConfig, type Level, type LevelRating, type RunawayOptions, type Weights,
} from '@fulcrum/query';
import { formatDuration, parseDuration } from './duration.js';

/*
 * Every key of the config file: its dotted name, how a value is checked, and
 * where it lands in the options the analysis engine takes. Defaults are the
 * query package's own constants, so the file only ever states differences.
 */

/** Wait this long after a session's last span before analysing it. */
export const DEFAULT_ANALYSE_AFTER_MS = 30_000;

/** The effective settings, in the shape the analysis engine takes (a superset of the query package's AnalysisConfig). */
export interface EngineConfig {
  /** Identical consecutive calls that make a loop (WasteOptions.minRepeat). */
  minRepeat: number;
  /** Quiet time after a session's last span before it is analysed, in ms. */
  analyseAfterMs: number;
  /** Runaway-spend budgets, every field set. */
  runaway: Required<RunawayOptions>;
  /** Leverage weights, every activity set. */
  weights: Weights;
  /** budgets.repositoryUsd: $ per team window per repository, read by reports only (not the engine); 0 = none. */
  repositoryBudgetUsd: number;
  /** privacy.minGroupSize: outcome groups (and totals) covering fewer distinct people are withheld; read by outcome views only. */
  minGroupSize: number;
}

// Fails to compile when the engine's settings stop being a subset of these: a loaded config is passed to it as is.
const passesToEngine = (c: EngineConfig): AnalysisConfig => c;
void passesToEngine;

/** budgets.<name> in the file → the RunawayOptions field it sets, in file order. */
export const BUDGET_FIELDS = {
  sessionUsd: 'sessionBudgetUsd',
  sessionCalls: 'sessionCallBudget',
  teamUsd: 'teamBudgetUsd',
  spikeMultiple: 'spikeMultiple',
  sessionWindowMinutes: 'sessionWindowMinutes',
  teamWindowMinutes: 'teamWindowMinutes',
  history: 'history',
  minHistory: 'minHistory',
} as const satisfies Record<string, keyof RunawayOptions>;

// Fails to compile when RunawayOptions gains a field the file cannot set.
type Unmapped = Exclude<keyof RunawayOptions, (typeof BUDGET_FIELDS)[keyof typeof BUDGET_FIELDS]>;
const everyRunawayOptionMapped: [Unmapped] extends [never] ? true : Unmapped = true;
void everyRunawayOptionMapped;

/** Budgets only reports read (spend over budget), not the engine: not RunawayOptions fields. */
export const REPORT_BUDGET_FIELDS = { repositoryUsd: 'repositoryBudgetUsd' } as const satisfies Record<string, keyof EngineConfig>;

export type BudgetKey = keyof typeof BUDGET_FIELDS | keyof typeof REPORT_BUDGET_FIELDS;

/** Every budgets.* key, in the order the file and `fulcrum config` list them. */
const BUDGET_ORDER: readonly BudgetKey[] = ['sessionUsd', 'sessionCalls', 'teamUsd', 'repositoryUsd', 'spikeMultiple', 'sessionWindowMinutes', 'teamWindowMinutes', 'history', 'minHistory'];

/** The config file (fulcrum.config.json). Every key is optional. */
export interface ConfigFile {
  waste?: { minRepeat?: number };
  /** analyseAfter: "500ms", "30s", "2m", "1h" or a number of milliseconds. */
  analysis?: { analyseAfter?: string | number };
  budgets?: Partial<Record<BudgetKey, number>>;
  /** A weight by number, or by rating: { "frequency": "high", "timeSaved": "extremely-high" }. */
  weights?: Partial<Record<Activity, number | LevelRating>>;
  /** minGroupSize: the fewest distinct people an outcome group must cover to be shown (default 5; 1 shows every group). */
  privacy?: { minGroupSize?: number };
  /** Model prices added to (or replacing) the built-in table, USD per million tokens; a key ending in "-" is a family. */
  prices?: Record<string, { input: number; output: number; cacheRead: number; cacheWrite: number }>;
}

/** A key's dotted name in the file, e.g. "budgets.sessionUsd". */
export type ConfigKey = 'waste.minRepeat' | 'analysis.analyseAfter' | 'privacy.minGroupSize' | `budgets.${BudgetKey}` | `weights.${Activity}`;

/** A refused value: the reason, and the part of the key below it when the value is an object. */
export class Refusal {
  constructor(readonly reason: string, readonly subKey?: string) {}
}

/** A checked value; a weight given by rating keeps it for display. */
export interface Checked {
  value: number;
  rating?: LevelRating;
}

export interface KeyDef {
  key: ConfigKey;
  description: string;
  /** Checks a value from the file or a flag; throws a Refusal. */
  check(raw: unknown): Checked;
  get(config: EngineConfig): number;
  set(config: EngineConfig, value: number): void;
  /** The value as people read it: 30s, or 0.875 (frequency extremely-high, time saved high). */
  text(value: number, rating?: LevelRating): string;
}

/** A value as quoted in an error message, at most 60 characters. */
export function shown(raw: unknown): string {
  const s = JSON.stringify(raw) ?? String(raw);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function number(raw: unknown, ok: (n: number) => boolean, expected: string): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || !ok(raw)) throw new Refusal(`must be ${expected}, got ${shown(raw)}`);
  return raw;
}

const UINT32_MAX = 2 ** 32 - 1;
const nonNegative = (raw: unknown) => number(raw, (n) => n >= 0, 'a non-negative number');
const positive = (raw: unknown) => number(raw, (n) => n > 0, 'a positive number');
const integer = (min: number, max: number, expected: string) => (raw: unknown) =>
  number(raw, (n) => Number.isInteger(n) && n >= min && n <= max, expected);

const LEVEL_NAMES = Object.keys(LEVELS) as Level[];
const RATING_KEYS = ['frequency', 'timeSaved'] as const;

/** A weight: a non-negative number, or a rating whose weight is (frequency + time saved) / 2. */
function checkWeight(raw: unknown): Checked {
  if (typeof raw === 'number') return { value: nonNegative(raw) };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Refusal(`must be a non-negative number or { "frequency": level, "timeSaved": level }, got ${shown(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(RATING_KEYS as readonly string[]).includes(k)) throw new Refusal(`unknown key (a rating has ${RATING_KEYS.join(' and ')})`, k);
  }
  for (const k of RATING_KEYS) {
    if (o[k] === undefined) throw new Refusal(`missing (a rating has ${RATING_KEYS.join(' and ')})`, k);
    if (typeof o[k] !== 'string' || !LEVEL_NAMES.includes(o[k] as Level)) {
      throw new Refusal(`must be one of ${LEVEL_NAMES.join(', ')}, got ${shown(o[k])}`, k);
    }
  }
  const rating = { frequency: o.frequency as Level, timeSaved: o.timeSaved as Level };
  return { value: weightOf(rating), rating };
}

const ratingText = (r: LevelRating) => `frequency ${r.frequency}, time saved ${r.timeSaved}`;

/** The rating behind a default weight, when the default still is that rating's weight. */
function defaultRating(a: Activity): LevelRating | undefined {
  const r = DEFAULT_RATINGS[a];
  return r && weightOf(r) === DEFAULT_WEIGHTS[a] ? r : undefined;
}

const ACTIVITY_NAMES: Record<Activity, string> = {
  linesAdded: 'a line added',
  linesRemoved: 'a line removed',
  refactors: 'a refactor',
  skills: 'a skill invocation',
  mcp: 'an MCP tool call',
};

const BUDGET_DEFS: Record<BudgetKey, { description: string; check: (raw: unknown) => number }> = {
  sessionUsd: { description: 'flag a session spending more than this ($) in one session window; 0 turns it off', check: nonNegative },
  sessionCalls: {
    description: 'flag a session making more model and tool calls than this in one window; 0 turns it off',
    check: integer(0, UINT32_MAX, 'a non-negative integer'),
  },
  teamUsd: { description: 'flag a team spending more than this ($) in one team window; 0 turns it off', check: nonNegative },
  repositoryUsd: { description: 'report spend of a repository over this ($) in one team window; 0 turns it off', check: nonNegative },
  spikeMultiple: { description: "flag a window above this multiple of the session's or team's trailing median", check: positive },
  sessionWindowMinutes: {
    description: "window a session's spend and calls are measured over, in minutes",
    check: integer(1, UINT32_MAX, 'a positive integer'),
  },
  teamWindowMinutes: {
    description: "window a team's spend is measured over, in minutes; a multiple of the session window",
    check: integer(1, UINT32_MAX, 'a positive integer'),
  },
  history: { description: 'earlier windows the trailing median is taken over', check: integer(1, UINT32_MAX, 'a positive integer') },
  minHistory: { description: 'fewest earlier windows before a spike is judged', check: integer(1, UINT32_MAX, 'a positive integer') },
};

/** Every key, in the order `fulcrum config` lists them. */
export const CONFIG_KEYS: readonly KeyDef[] = [
  {
    key: 'waste.minRepeat',
    description: 'identical consecutive calls that make a loop',
    // The same range the API and --min-repeat accept.
    check: (raw) => ({ value: integer(2, 1000, 'an integer from 2 to 1000')(raw) }),
    get: (c) => c.minRepeat,
    set: (c, v) => void (c.minRepeat = v),
    text: String,
  },
  {
    key: 'analysis.analyseAfter',
    description: "quiet time after a session's last span before it is analysed: 500ms, 30s, 2m, 1h or ms",
    check: (raw) => {
      const ms = parseDuration(raw);
      if (typeof ms === 'string') throw new Refusal(`${ms}, got ${shown(raw)}`);
      return { value: ms };
    },
    get: (c) => c.analyseAfterMs,
    set: (c, v) => void (c.analyseAfterMs = v),
    text: formatDuration,
  },
  ...BUDGET_ORDER.map((k): KeyDef => ({
    key: `budgets.${k}`,
    description: BUDGET_DEFS[k].description,
    check: (raw) => ({ value: BUDGET_DEFS[k].check(raw) }),
    get: (c) => (k === 'repositoryUsd' ? c[REPORT_BUDGET_FIELDS[k]] : c.runaway[BUDGET_FIELDS[k]]),
    set: (c, v) => void (k === 'repositoryUsd' ? (c[REPORT_BUDGET_FIELDS[k]] = v) : (c.runaway[BUDGET_FIELDS[k]] = v)),
    text: String,
  })),
  {
    key: 'privacy.minGroupSize',
    description: 'outcome views withhold a group (and a total) covering fewer distinct people than this; 1 shows every group',
    check: (raw) => ({ value: integer(1, 1_000_000, 'a whole number from 1 to 1000000')(raw) }),
    get: (c) => c.minGroupSize,
    set: (c, v) => void (c.minGroupSize = v),
    text: String,
  },
  ...ACTIVITIES.map((a): KeyDef => ({
    key: `weights.${a}`,
    description: `leverage weight of ${ACTIVITY_NAMES[a] ?? a}`,
    check: checkWeight,
    get: (c) => c.weights[a],
    set: (c, v) => void (c.weights[a] = v),
    text: (v, rating) => {
      const r = rating ?? (v === DEFAULT_WEIGHTS[a] ? defaultRating(a) : undefined);
      return r ? `${v} (${ratingText(r)})` : String(v);
    },
  })),
];

export const KEY_DEFS: ReadonlyMap<string, KeyDef> = new Map(CONFIG_KEYS.map((d) => [d.key, d]));

/** The defaults: the query package's constants and a 30 s analysis delay. */
export function defaultConfig(): EngineConfig {
  return {
    minRepeat: ANALYSIS_DEFAULTS.minRepeat,
    analyseAfterMs: DEFAULT_ANALYSE_AFTER_MS,
    runaway: { ...RUNAWAY_DEFAULTS },
    weights: { ...DEFAULT_WEIGHTS },
    repositoryBudgetUsd: 0,
    minGroupSize: DEFAULT_MIN_GROUP_SIZE,
  };
}

/** The weight levels, for help text: low (0.25), medium (0.5), ... */
export const LEVELS_TEXT = LEVEL_NAMES.map((l) => `${l} (${LEVELS[l]})`).join(', ');
