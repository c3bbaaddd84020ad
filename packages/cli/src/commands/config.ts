import { DEFAULT_DATA_DIR } from '@fulcrum/store';
import { parseFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { formatOf } from '../query/flags.js';
import { renderTable, type Column } from '../render/table.js';
import { CONFIG_FLAG, loadConfigFromFlags } from '../config/flags.js';
import { CONFIG_KEYS, defaultConfig, LEVELS_TEXT } from '../config/keys.js';
import { CONFIG_FILE_NAME, type ConfigEntry, type LoadedConfig } from '../config/load.js';

const KEY_WIDTH = 32;
const WIDTH = 88;

/** Wraps text into lines of at most `width`, indenting the following ones by `indent`. */
function wrap(text: string, first: number, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  let room = width - first;
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
      room = width - indent;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function keysHelp(): string {
  const defaults = defaultConfig();
  return CONFIG_KEYS.map((d) => {
    const v = d.get(defaults);
    const shown = d.key.startsWith('weights.') ? String(v) : d.text(v);
    const head = `  ${d.key.padEnd(KEY_WIDTH - 2)} `;
    // "(default x)" stays on one line.
    return head + wrap(`${d.description} (default\u00a0${shown})`, head.length, WIDTH, head.length).replace(/\u00a0/g, ' ');
  }).join('\n');
}

export const CONFIG_HELP_TEXT = `Usage: fulcrum config [options]

Prints the analysis settings in effect (waste detection, the analysis delay,
budgets, leverage weights and the model prices the file adds): every key, its value, and where
the value came from: default, the config file, or a flag. Does not open the
store, so it works while a server holds the data directory.

Settings are read from --config <file>, else from ${CONFIG_FILE_NAME} in the
data directory (no file there means every default). Every key is optional;
unknown keys and bad values are refused with the key's name (exit code 2).

Options:
  --config <file>         config file to read (it must exist)
  --data-dir <dir>        data directory whose ${CONFIG_FILE_NAME} is read
                          (default ${DEFAULT_DATA_DIR}, env FULCRUM_DATA_DIR)
  --format <f>            table (default) or json
  -h, --help              show this help

Keys:
${keysHelp()}

Prices: the "prices" section adds models to the built-in price table (or
replaces their price), in $ per million tokens. A key is a model name as the
harness reports it (dates and provider prefixes are ignored), or a family
ending in "-" that prices every model starting with it. Fulcrum prices calls
that come without a cost (Codex, Gemini CLI); a model in neither table is
unpriced: counted as "calls to unpriced models", never as $0 spend.

${wrap(`A weight is a number, or a rating { "frequency": L, "timeSaved": L } worth (frequency + timeSaved) / 2, each L one of ${LEVELS_TEXT}.`, 0, 80, 0)}

Example ${CONFIG_FILE_NAME}:
  {
    "waste": { "minRepeat": 4 },
    "analysis": { "analyseAfter": "2m" },
    "budgets": { "sessionUsd": 40, "teamUsd": 500 },
    "weights": { "refactors": 1, "mcp": { "frequency": "high", "timeSaved": "high" } },
    "prices": { "gemini-3.1-": { "input": 0.5, "output": 3, "cacheRead": 0.05, "cacheWrite": 0 } }
  }
`;

const COLUMNS: Column<ConfigEntry>[] = [
  { header: 'key', cell: (e) => e.key },
  { header: 'value', cell: (e) => e.text },
  { header: 'source', cell: (e) => e.source },
];

export function renderConfig(loaded: LoadedConfig): string {
  const { path, found } = loaded.file;
  const head = `config file: ${path}${found ? '' : ' (none: defaults apply)'}\n\n`;
  const prices = loaded.prices.map((p): ConfigEntry => ({
    key: `prices.${p.model}` as ConfigEntry['key'], value: p.input, source: p.source, description: 'model price, $ per million tokens',
    text: `input ${p.input}, output ${p.output}, cache read ${p.cacheRead}, cache write ${p.cacheWrite}`,
  }));
  return head + renderTable([...loaded.entries, ...prices], COLUMNS);
}

/** What --format json prints: the file, every key with its value and source, and the engine's options. */
export function configJson(loaded: LoadedConfig) {
  return {
    file: loaded.file,
    keys: loaded.entries.map(({ key, value, text, source }) => ({ key, value, text, source })),
    effective: loaded.config,
    prices: loaded.prices,
  };
}

export async function configCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...CONFIG_FLAG, 'data-dir': { type: 'string' }, format: { type: 'string' } }, true);
  if (values.help) {
    process.stdout.write(CONFIG_HELP_TEXT);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (run "fulcrum config --help")`);
  const format = formatOf(values.format, ['table', 'json']);
  const loaded = loadConfigFromFlags(values, env);
  process.stdout.write(format === 'json' ? `${JSON.stringify(configJson(loaded), null, 2)}\n` : renderConfig(loaded));
  return 0;
}
