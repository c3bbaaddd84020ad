import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_DATA_DIR } from '@fulcrum/store';
import { UsageError } from '../errors.js';
import { applyGuardSection, defaultGuardConfig, GuardConfigError } from '@fulcrum/guard';
import { CONFIG_KEYS, defaultConfig, KEY_DEFS, Refusal, shown, type EngineConfig, type ConfigKey } from './keys.js';
import type { LevelRating } from '@fulcrum/query';
import { parsePriceSection, PriceSectionError, PRICE_FIELDS, priceTableOf, type PriceTable } from '@fulcrum/vocab';

/** The config file's name in the data directory. */
export const CONFIG_FILE_NAME = 'fulcrum.config.json';

/** A bad config file or value: one line naming the key (or the file), exit code 2. */
export class ConfigError extends UsageError {
  constructor(
    /** Dotted key, e.g. "budgets.sessionUsd"; undefined when the file itself is at fault. */
    readonly key: string | undefined,
    readonly reason: string,
    /** "in <file>" or "from flag --x". */
    readonly where?: string,
  ) {
    super(`config ${key ? `${key}: ` : ''}${reason}${where ? ` (${where})` : ''}`);
  }
}

/** A value given on the command line, and the flag that gave it. */
export interface ConfigOverride {
  /** Text from the flag, or a number (or a rating for a weight); undefined (flag not given) is skipped. */
  value: unknown;
  /** The flag, e.g. "--min-repeat": the key's source becomes "flag --min-repeat". */
  flag: string;
}

export type ConfigOverrides = Partial<Record<ConfigKey, ConfigOverride>>;

export interface LoadConfigOptions {
  /** The config file (--config). When it is missing, loading fails. */
  path?: string;
  /** Data directory whose fulcrum.config.json is read when no path is given; missing is fine. @default './.fulcrum/data' */
  dataDir?: string;
  /** Values from flags; they win over the file. */
  overrides?: ConfigOverrides;
}

/** One key's effective value and where it came from. */
export interface ConfigEntry {
  key: ConfigKey;
  /** As the engine takes it (analysis.analyseAfter in ms). Also valid in the file. */
  value: number;
  /** As people read it: "30s", "0.875 (frequency extremely-high, time saved high)". */
  text: string;
  /** 'default', the config file's absolute path, or 'flag --x'. */
  source: string;
  description: string;
}

export interface LoadedConfig {
  /** The effective values, in the shape the engine takes. */
  config: EngineConfig;
  /** Per dotted key: 'default', the config file's absolute path, or 'flag --x'. */
  sources: Record<ConfigKey, string>;
  /** Every key, in file order. */
  entries: ConfigEntry[];
  /** The file consulted (absolute), whether it was given explicitly, and whether it exists. */
  file: { path: string; explicit: boolean; found: boolean };
  /** Model prices the file adds to the built-in table (its `prices` section), in file order. */
  prices: PriceEntry[];
  /** The price table in force: the built-in one with the file's prices on top, built once. */
  priceTable: PriceTable;
}

/** One model (or family, ending in "-") priced in the config file, USD per million tokens. */
export interface PriceEntry {
  /** The key as normalised for matching (lower case, no date or provider prefix). */
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** The config file's absolute path. */
  source: string;
}


/**
 * The effective analysis settings: defaults, then the config file (`path`, or
 * fulcrum.config.json in `dataDir`), then `overrides`. Refuses unknown keys and
 * bad values with a ConfigError naming the key. Reads the file; touches nothing else.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const explicit = options.path !== undefined;
  const path = resolve(options.path ?? join(options.dataDir ?? DEFAULT_DATA_DIR, CONFIG_FILE_NAME));
  const config = defaultConfig();
  const sources = Object.fromEntries(CONFIG_KEYS.map((d) => [d.key, 'default'])) as Record<ConfigKey, string>;
  const ratings = new Map<ConfigKey, LevelRating>();
  const where = new Map<ConfigKey, string>();

  const apply = (key: ConfigKey, raw: unknown, source: string, at: string) => {
    const def = KEY_DEFS.get(key)!;
    try {
      const { value, rating } = def.check(raw);
      def.set(config, value);
      if (rating) ratings.set(key, rating);
      else ratings.delete(key);
    } catch (err) {
      if (err instanceof Refusal) throw new ConfigError(err.subKey ? `${key}.${err.subKey}` : key, err.reason, at);
      throw err;
    }
    sources[key] = source;
    where.set(key, at);
  };

  const text = readConfigText(path, explicit);
  let prices: PriceEntry[] = [];
  if (text !== undefined) {
    const json = parseJson(text, path);
    for (const [key, raw] of fileEntries(json, path)) apply(key, raw, path, `in ${path}`);
    if (isObject(json) && json.prices !== undefined) prices = priceEntries(json.prices, path);
  }
  for (const [key, o] of Object.entries(options.overrides ?? {}) as [string, ConfigOverride | undefined][]) {
    if (!o || o.value === undefined) continue; // a flag not given
    const flag = `--${o.flag.replace(/^-+/, '')}`;
    if (!KEY_DEFS.has(key)) throw new ConfigError(key, `unknown key${hint(key, [...KEY_DEFS.keys()], '')}`, `from flag ${flag}`);
    apply(key as ConfigKey, fromFlag(o.value), `flag ${flag}`, `from flag ${flag}`);
  }
  checkTogether(config, sources, where);

  const entries = CONFIG_KEYS.map((d): ConfigEntry => {
    const value = d.get(config);
    return { key: d.key, value, text: d.text(value, ratings.get(d.key)), source: sources[d.key], description: d.description };
  });
  const priceTable = priceTableOf(prices);
  return { config, sources, entries, file: { path, explicit, found: text !== undefined }, prices, priceTable };
}

/** The file's `prices` section, read by the vocabulary's one reader of it, with the file named in a refusal. */
function priceEntries(body: unknown, path: string): PriceEntry[] {
  try {
    return parsePriceSection(body).map((e) => ({ ...e, source: path }));
  } catch (err) {
    if (!(err instanceof PriceSectionError)) throw err;
    const near = err.unknownField === undefined ? '' : hint(err.unknownField, PRICE_FIELDS, '');
    const reason = near.startsWith('; did you mean') ? err.reason.replace(/^unknown key/, `unknown key${near}`) : err.reason;
    throw new ConfigError(err.key, reason, `in ${path}`);
  }
}

/** The file's text; undefined when the default file does not exist. */
function readConfigText(path: string, explicit: boolean): string | undefined {
  try {
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (!explicit) return undefined;
      throw new ConfigError(undefined, `file ${path} not found`);
    }
    if (code === 'EISDIR') throw new ConfigError(undefined, `file ${path} is a directory, not a JSON file`);
    throw new ConfigError(undefined, `file ${path} cannot be read: ${(err as Error).message.split('\n')[0]}`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(undefined, `file ${path} is not valid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The file's values by dotted key, refusing anything that is not a known key. */
function fileEntries(json: unknown, path: string): [ConfigKey, unknown][] {
  const at = `in ${path}`;
  if (!isObject(json)) throw new ConfigError(undefined, `file ${path} must hold a JSON object, got ${shown(json)}`);
  const sections = [...new Set(CONFIG_KEYS.map((d) => d.key.split('.')[0]!)), 'prices', 'guard'];
  const out: [ConfigKey, unknown][] = [];
  for (const [section, body] of Object.entries(json)) {
    if (section === 'prices') continue; // model names, not keys: priceEntries reads them
    if (section === 'guard') {
      // The hook's policies (fulcrum guard): checked by the guard's own reader, the one place its keys are known.
      try {
        applyGuardSection(body, defaultGuardConfig());
      } catch (err) {
        if (err instanceof GuardConfigError) throw new ConfigError(err.key, err.reason, at);
        throw err;
      }
      continue;
    }
    if (!sections.includes(section)) throw new ConfigError(section, `unknown key${hint(section, sections, '')}`, at);
    if (!isObject(body)) throw new ConfigError(section, `must be an object, got ${shown(body)}`, at);
    const names = CONFIG_KEYS.filter((d) => d.key.startsWith(`${section}.`)).map((d) => d.key.slice(section.length + 1));
    for (const [name, raw] of Object.entries(body)) {
      if (!names.includes(name)) throw new ConfigError(`${section}.${name}`, `unknown key${hint(name, names, `${section}.`)}`, at);
      out.push([`${section}.${name}` as ConfigKey, raw]);
    }
  }
  return out;
}

/** Flags give text: a plain number in it is taken as a number. */
function fromFlag(value: unknown): unknown {
  return typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

/** Rules between keys, blaming the key that was set (the later one when both were). */
function checkTogether(c: EngineConfig, sources: Record<ConfigKey, string>, where: Map<ConfigKey, string>): void {
  const r = c.runaway;
  const blame = (a: ConfigKey, b: ConfigKey): ConfigKey => (sources[a] !== 'default' ? a : sources[b] !== 'default' ? b : a);
  if (r.teamWindowMinutes % r.sessionWindowMinutes !== 0) {
    const key = blame('budgets.teamWindowMinutes', 'budgets.sessionWindowMinutes');
    throw key === 'budgets.teamWindowMinutes'
      ? new ConfigError(key, `must be a multiple of budgets.sessionWindowMinutes (${r.sessionWindowMinutes}), got ${r.teamWindowMinutes}`, where.get(key))
      : new ConfigError(key, `must divide budgets.teamWindowMinutes (${r.teamWindowMinutes}), got ${r.sessionWindowMinutes}`, where.get(key));
  }
  if (r.minHistory > r.history) {
    const key = blame('budgets.minHistory', 'budgets.history');
    throw key === 'budgets.minHistory'
      ? new ConfigError(key, `must not exceed budgets.history (${r.history}), got ${r.minHistory}`, where.get(key))
      : new ConfigError(key, `must be at least budgets.minHistory (${r.minHistory}), got ${r.history}`, where.get(key));
  }
}

/** "; did you mean budgets.sessionUsd?" for a near miss, else the known keys. */
function hint(name: string, known: readonly string[], prefix: string): string {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined ? `; did you mean ${prefix}${best}?` : `; known keys: ${known.map((k) => prefix + k).join(', ')}`;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
