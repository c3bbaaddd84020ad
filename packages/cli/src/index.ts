export { run, COMMANDS, MAIN_HELP } from './main.js';
export { UsageError } from './errors.js';
export {
  loadConfig, loadConfigFromFlags, configOptions, ConfigError, CONFIG_FILE_NAME, CONFIG_FLAG, CONFIG_HELP,
  CONFIG_KEYS, BUDGET_FIELDS, DEFAULT_ANALYSE_AFTER_MS, defaultConfig, parseDuration, formatDuration,
} from './config/index.js';
export type {
  LoadConfigOptions, LoadedConfig, ConfigEntry, ConfigOverride, ConfigOverrides, EngineConfig, ConfigFile, ConfigKey, BudgetKey,
} from './config/index.js';
export { configCommand, CONFIG_HELP_TEXT } from './commands/config.js';
