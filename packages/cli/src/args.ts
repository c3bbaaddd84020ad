import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with errors rewritten as one-line UsageErrors naming the flag. */
export interface ParsedFlags {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** A value that looks like a flag but is a number: -1, -0.5. */
const NEGATIVE_NUMBER = /^-\d/;

/**
 * `--worst -1` as `--worst=-1`: parseArgs takes a value starting with "-" for a
 * flag and calls it ambiguous; a negative number is a value, which the flag's
 * own check then accepts or refuses with its range.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** parseArgs's messages, in the CLI's words. */
function describe(err: Error & { code?: string }): string {
  const first = err.message.split('\n')[0]!;
  const flag = /^Option '([^']+)'/.exec(first)?.[1]?.match(/--[\w-]+/)?.[0];
  if (flag && /argument is ambiguous/.test(first)) return `${flag} needs a value (for one starting with "-", write ${flag}=<value>)`;
  if (flag && /argument missing/.test(first)) return `${flag} needs a value`;
  if (flag && /does not take an argument/.test(first)) return `${flag} takes no value`;
  const positional = /^Unexpected argument '(.*)'/.exec(first);
  if (positional) return `unexpected argument "${positional[1]}" (run with --help)`;
  return first.replace(/\. To specify a positional.*$/, '');
}

export function parseFlags(argv: string[], options: Options, allowPositionals = false): ParsedFlags {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as Options;
  try {
    return parseArgs({ args: joinNegativeValues(argv, all), options: all, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(describe(err as Error));
  }
}

export function intFlag(value: string | undefined, name: string, fallback: number, min = 0, max = 65535): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}
