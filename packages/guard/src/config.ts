import { DEFAULT_PRICES, parsePriceSection, PriceSectionError, priceTableOf, type GuardPolicy, type PriceTable } from '@fulcrum/vocab';

/** observe: record only; warn: allow, with a note to the model; enforce: deny the call (or stop the session). */
export const GUARD_MODES = ['observe', 'warn', 'enforce'] as const;
export type GuardMode = (typeof GUARD_MODES)[number];

/** The guard's policies, each with its mode. Defaults are the report's own settings, so a guard decision is the report's verdict. */
export interface GuardConfig {
  /** The Nth run of a command identical to earlier failures, nothing changed between, is denied. */
  failingCommand: { mode: GuardMode; /** @default 3 */ threshold: number };
  /** The call that makes a run of identical consecutive calls a loop (the report's waste.minRepeat). */
  identicalCall: { mode: GuardMode };
  /** A re-read of a file unchanged since an earlier read: always allowed, with a note (enforce acts as warn). */
  reread: { mode: GuardMode };
  /** A search repeated with no file changed since: always allowed, with a note (enforce acts as warn). */
  research: { mode: GuardMode };
  /** Spend of the session in its current window (budgets.sessionUsd per budgets.sessionWindowMinutes, as the report judges runaways). */
  budget: {
    mode: GuardMode;
    /** @default 25 (budgets.sessionUsd); 0 = none */
    sessionUsd: number;
    /** @default 60 (budgets.sessionWindowMinutes) */
    windowMinutes: number;
    /** $ per team window for the session's team, judged with a Fulcrum server. @default 0 (budgets.teamUsd): none */
    teamUsd: number;
    /** $ per team window for the session's repository, judged with a Fulcrum server. @default 0 (budgets.repositoryUsd): none */
    repositoryUsd: number;
    /** @default 1440 (budgets.teamWindowMinutes) */
    teamWindowMinutes: number;
    /** @default 0.8 */
    warnAt: number;
  };
  /** Identical consecutive calls that make a loop. @default 3 (waste.minRepeat) */
  minRepeat: number;
  /** Model prices for the session's spend: the config file's `prices` on the built-in table, as the server prices it. @default DEFAULT_PRICES */
  prices: PriceTable;
}

export const POLICY_KEYS: Record<GuardPolicy, keyof Omit<GuardConfig, 'minRepeat' | 'prices'>> = {
  failing_command: 'failingCommand',
  identical_call: 'identicalCall',
  reread: 'reread',
  research: 'research',
  budget: 'budget',
};

/** The defaults, every policy in `mode`. */
export function defaultGuardConfig(mode: GuardMode = 'warn'): GuardConfig {
  return {
    failingCommand: { mode, threshold: 3 },
    identicalCall: { mode },
    reread: { mode },
    research: { mode },
    budget: { mode, sessionUsd: 25, windowMinutes: 60, teamUsd: 0, repositoryUsd: 0, teamWindowMinutes: 1440, warnAt: 0.8 },
    minRepeat: 3,
    prices: DEFAULT_PRICES,
  };
}

/** A bad `guard` section of the config file: the dotted key and why. */
export class GuardConfigError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`config ${key}: ${reason}`);
  }
}

const SECTION_KEYS: Record<string, readonly string[]> = {
  failingCommand: ['mode', 'threshold'],
  identicalCall: ['mode'],
  reread: ['mode'],
  research: ['mode'],
  budget: ['mode', 'warnAt'],
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks the config file's `guard` section and applies it to `into`:
 * `{ "failingCommand": { "mode", "threshold" }, "identicalCall": { "mode" },
 * "reread": { "mode" }, "research": { "mode" }, "budget": { "mode", "warnAt" } }`.
 * The one place its keys are checked: `fulcrum config` and the hook both call it.
 */
export function applyGuardSection(body: unknown, into: GuardConfig): GuardConfig {
  if (!isObject(body)) throw new GuardConfigError('guard', `must be an object, got ${JSON.stringify(body)}`);
  for (const [section, value] of Object.entries(body)) {
    const keys = SECTION_KEYS[section];
    if (!keys) throw new GuardConfigError(`guard.${section}`, `unknown key (one of ${Object.keys(SECTION_KEYS).join(', ')})`);
    if (!isObject(value)) throw new GuardConfigError(`guard.${section}`, 'must be an object');
    const target = into[section as keyof typeof SECTION_KEYS & keyof GuardConfig] as Record<string, unknown>;
    for (const [k, raw] of Object.entries(value)) {
      const key = `guard.${section}.${k}`;
      if (!keys.includes(k)) throw new GuardConfigError(key, `unknown key (one of ${keys.join(', ')})`);
      if (k === 'mode' && !(GUARD_MODES as readonly unknown[]).includes(raw)) throw new GuardConfigError(key, `must be one of ${GUARD_MODES.join(', ')}, got ${JSON.stringify(raw)}`);
      if (k === 'threshold' && !(Number.isInteger(raw) && (raw as number) >= 2 && (raw as number) <= 1000)) throw new GuardConfigError(key, `must be an integer from 2 to 1000, got ${JSON.stringify(raw)}`);
      if (k === 'warnAt' && !(typeof raw === 'number' && raw > 0 && raw < 1)) throw new GuardConfigError(key, `must be a number between 0 and 1, got ${JSON.stringify(raw)}`);
      target[k] = raw;
    }
  }
  return into;
}

/**
 * The guard's settings from a parsed config file (the same fulcrum.config.json
 * the server reads): the `guard` section, the report's own `waste.minRepeat` and
 * `budgets.*`, so the guard acts on the thresholds the report judges by, and
 * `prices`, so it prices the session's model calls as the server does. Values the server's loader would refuse
 * are refused here too.
 */
export function guardConfigOf(file: unknown, mode: GuardMode = 'warn'): GuardConfig {
  const c = defaultGuardConfig(mode);
  if (!isObject(file)) return c;
  const waste = isObject(file.waste) ? file.waste : {};
  const budgets = isObject(file.budgets) ? file.budgets : {};
  if (waste.minRepeat !== undefined) {
    if (!(Number.isInteger(waste.minRepeat) && (waste.minRepeat as number) >= 2 && (waste.minRepeat as number) <= 1000)) throw new GuardConfigError('waste.minRepeat', 'must be an integer from 2 to 1000');
    c.minRepeat = waste.minRepeat as number;
  }
  if (budgets.sessionUsd !== undefined) {
    if (!(typeof budgets.sessionUsd === 'number' && budgets.sessionUsd >= 0 && Number.isFinite(budgets.sessionUsd))) throw new GuardConfigError('budgets.sessionUsd', 'must be a non-negative number');
    c.budget.sessionUsd = budgets.sessionUsd;
  }
  if (budgets.sessionWindowMinutes !== undefined) {
    if (!(Number.isInteger(budgets.sessionWindowMinutes) && (budgets.sessionWindowMinutes as number) >= 1)) throw new GuardConfigError('budgets.sessionWindowMinutes', 'must be a positive integer');
    c.budget.windowMinutes = budgets.sessionWindowMinutes as number;
  }
  for (const [key, field] of [['teamUsd', 'teamUsd'], ['repositoryUsd', 'repositoryUsd']] as const) {
    const v = budgets[key];
    if (v === undefined) continue;
    if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new GuardConfigError(`budgets.${key}`, 'must be a non-negative number');
    c.budget[field] = v;
  }
  if (budgets.teamWindowMinutes !== undefined) {
    if (!(Number.isInteger(budgets.teamWindowMinutes) && (budgets.teamWindowMinutes as number) >= 1)) throw new GuardConfigError('budgets.teamWindowMinutes', 'must be a positive integer');
    c.budget.teamWindowMinutes = budgets.teamWindowMinutes as number;
  }
  if (file.prices !== undefined) {
    try {
      c.prices = priceTableOf(parsePriceSection(file.prices));
    } catch (err) {
      if (err instanceof PriceSectionError) throw new GuardConfigError(err.key, err.reason);
      throw err;
    }
  }
  if (file.guard !== undefined) applyGuardSection(file.guard, c);
  return c;
}
