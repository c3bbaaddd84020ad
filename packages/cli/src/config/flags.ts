import { loadConfig, type ConfigOverrides, type LoadConfigOptions, type LoadedConfig } from './load.js';

/** The --config flag, for commands that take analysis settings (spread into their parseFlags options). */
export const CONFIG_FLAG = {
  config: { type: 'string' },
} as const;

/** The help line for --config, aligned with STORE_HELP. */
export const CONFIG_HELP = `  --config <file>         analysis settings: waste, budgets, weights (default
                          <data dir>/fulcrum.config.json; run "fulcrum config")`;

/** Where the config is read from: --config, else the data directory of --data-dir or FULCRUM_DATA_DIR. */
export function configOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv, overrides?: ConfigOverrides): LoadConfigOptions {
  return {
    path: (values.config as string | undefined) || undefined,
    dataDir: (values['data-dir'] as string | undefined) ?? (env.FULCRUM_DATA_DIR || undefined),
    overrides,
  };
}

/** loadConfig from a command's parsed flags and the environment. */
export function loadConfigFromFlags(values: Record<string, unknown>, env: NodeJS.ProcessEnv, overrides?: ConfigOverrides): LoadedConfig {
  return loadConfig(configOptions(values, env, overrides));
}
