import type { QueryParams } from '@fulcrum/query';
import { parseFlags, type ParsedFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { formatOf, QUERY_FLAGS, queryParams, type Format } from './flags.js';
import { openBackend, parse, type Endpoint } from './backend.js';
import { noSessions } from '../render/format.js';

type Options = Parameters<typeof parseFlags>[1];

export interface QueryCommandSpec<T> {
  help: string;
  endpoint: Endpoint;
  flags?: Options;
  formats?: Format[];
  /** Positional id (the session command). */
  positional?: string;
  extra?: (values: ParsedFlags['values']) => Partial<QueryParams>;
  /** Sessions in scope (total: what the backend counted beyond the limit); none means a hint instead of empty tables. */
  sessionsIn?: (data: T, total: number | undefined) => number;
  render: (data: T, format: Exclude<Format, 'json'>, total: number | undefined) => string;
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
    const answer = await backend.get(spec.endpoint, params, id);
    const data = answer.data as T;
    if (format === 'json') process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else if (spec.sessionsIn?.(data, answer.total) === 0) process.stdout.write(noSessions(params));
    else process.stdout.write(spec.render(data, format, answer.total));
  } finally {
    await backend.close();
  }
  return 0;
}
