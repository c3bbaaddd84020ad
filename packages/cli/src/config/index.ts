export { loadConfig, ConfigError, CONFIG_FILE_NAME } from './load.js';
export type { LoadConfigOptions, LoadedConfig, ConfigEntry, ConfigOverride, ConfigOverrides, PriceEntry } from './load.js';
export { CONFIG_KEYS, BUDGET_FIELDS, DEFAULT_ANALYSE_AFTER_MS, defaultConfig } from './keys.js';
export type { EngineConfig, ConfigFile, ConfigKey, BudgetKey } from './keys.js';
export { parseDuration, formatDuration } from './duration.js';
export { CONFIG_FLAG, CONFIG_HELP, configOptions, loadConfigFromFlags } from './flags.js';
