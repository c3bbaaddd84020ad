import type { QueryParams } from '@fulcrum/query';
import { parseFlags, type ParsedFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { formatOf, QUERY_FLAGS, queryParams, type Format } from './flags.js';
import { openBackend, parse, type Endpoint } from './backend.js';

type Options = Parameters<typeof parseFlags>[1];

export interface QueryCommandSpec<T> {
  help: string;
  endpoint: Endpoint;
  flags?: Options;
  formats?: Format[];
  /** Positional id (the session command). */
  positional?: string;
  extra?: (values: ParsedFlags['values']) => Partial<QueryParams>;
  render: (data: T, format: Exclude<Format, 'json'>) => string;
}

/** Parses flags, asks the store or the server, prints in the chosen format. */
export async function runQueryCommand<T>(spec: QueryCommandSpec<T>, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...QUERY_FLAGS, ...spec.flags }, spec.positional !== undefined);
  if (values.help) {
    process.stdout.write(spec.help);
    return 0;
  }
  const format = formatOf(values.format, spec.formats);
  let id: string | undefined;
  if (spec.positional !== undefined) {
    if (positionals.length !== 1) {
      throw new UsageError(`expected one ${spec.positional}, got ${positionals.length} (run with --help)`);
    }
    id = positionals[0];
  }
  const params = queryParams(values, env, spec.extra?.(values));
  parse(params);
  const backend = await openBackend(values, env);
  try {
    const data = (await backend.get(spec.endpoint, params, id)) as T;
    process.stdout.write(format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : spec.render(data, format));
  } finally {
    await backend.close();
  }
  return 0;
}
