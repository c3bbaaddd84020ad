import type { PriceTable } from '@fulcrum/vocab';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_DATA_DIR, openStore, readDataDirHolder, type Store } from '@fulcrum/store';
import { BUDGET_PARAMS, parseQueryParams, QueryParamError, resolveAnalysisConfig, type BudgetParam, type QueryParams } from '@fulcrum/query';
import { ENDPOINTS, type Endpoint as ApiEndpoint, type EndpointName } from '@fulcrum/api';
import { FulcrumError } from '@fulcrum/vocab';
import { UsageError } from '../errors.js';
import { describeStoreError, storeOptions } from '../store-flags.js';
import { loadConfigFromFlags, type EngineConfig } from '../config/index.js';

export type Endpoint = EndpointName;

/**
 * Answers a query command from the store or from a running server's API, with
 * the same JSON either way. An embedded data directory is held by one process,
 * so when `fulcrum serve` holds it the CLI asks that server instead.
 */
export interface QueryBackend {
  readonly via: string;
  /** The endpoint's JSON, and for sessions how many are in scope beyond the limit. */
  get(endpoint: Endpoint, params: QueryParams, id?: string): Promise<{ data: unknown; total?: number }>;
  close(): Promise<void>;
}

export async function openBackend(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<QueryBackend> {
  const flag = values.server as string | undefined;
  const server = flag ?? (env.FULCRUM_SERVER || undefined);
  const apiKey = (values['api-key'] as string | undefined) ?? (env.FULCRUM_API_KEY || undefined);
  if (server !== undefined) return remote(serverUrl(server, flag !== undefined ? '--server' : 'FULCRUM_SERVER'), apiKey);
  const opts = storeOptions(values, env);
  if (!opts.url) {
    const dir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
    const holder = readDataDirHolder(dir);
    if (holder?.url) return remote(serverUrl(holder.url, `the server holding ${dir}`), apiKey);
    if (holder) throw new UsageError(`data directory ${dir} is held by process ${holder.pid}, which serves no API: stop it or pass --server`);
    if (!existsSync(dir)) throw new UsageError(`no data directory at ${dir}: run "fulcrum serve" and send spans, or "npm run demo"`);
  }
  loadConfigFromFlags(values, env); // a bad config fails before the store is opened
  let store: Store;
  try {
    store = await openStore(opts);
  } catch (err) {
    throw new UsageError(describeStoreError(err as Error, opts));
  }
  const { config, priceTable } = loadConfigFromFlags(values, env);
  return local(store, config, priceTable);
}

/** An API parameter's name as the CLI flag that sets it: useCase → use-case. */
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The flag that sets an API parameter, where its name is not the parameter's in kebab case. */
function flagOf(param: string): string {
  if (param in BUDGET_PARAMS) return `--${BUDGET_PARAMS[param as BudgetParam].flag}`;
  if (param.startsWith('weight.')) return `--weight ${param.slice('weight.'.length)}`;
  return `--${kebab(param)}`;
}

/** A server's base URL: http(s) with a host, or a one-line error naming where it came from (a flag or a variable). */
export function serverUrl(value: string, source: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new UsageError(`${source} must be an http(s) URL such as http://127.0.0.1:4318, got "${value}"`);
  }
  return url;
}

/** Checks parameters before any store or server is touched, so a typo fails fast with the flag named as the user types it. */
export function parse(params: QueryParams) {
  try {
    return parseQueryParams(params);
  } catch (err) {
    if (err instanceof QueryParamError) {
      const { allowed, value, cli, note } = err.extra;
      // The CLI quotes the user's own input back: it helps, and nothing leaves the terminal.
      const got = (value === undefined ? '' : `, got "${value}"`) + (note ? ` ${note}` : '');
      const detail = allowed ? `must be one of ${allowed.map(kebab).join(', ')}${got}` : cli ?? `${err.detail}${got}`;
      throw new UsageError(`${flagOf(err.param)} ${detail}`);
    }
    throw err;
  }
}

/**
 * Reads the store directly, with the config file's weights, budgets and repeat
 * threshold, through the API's own endpoint table: the answer is the one a
 * server would give.
 */
function local(store: Store, config: EngineConfig, prices: PriceTable): QueryBackend {
  const settings = {
    analysis: resolveAnalysisConfig({ minRepeat: config.minRepeat, runaway: config.runaway, prices }),
    weights: config.weights,
    repositoryBudgetUsd: config.repositoryBudgetUsd,
    minGroupSize: config.minGroupSize,
  };
  return {
    via: `${store.kind} store ${store.location}`,
    async get(endpoint, params, id) {
      const q = parse(params);
      try {
        return await (ENDPOINTS[endpoint] as ApiEndpoint).run({ client: store.client, settings }, q, { id });
      } catch (err) {
        if (!(err instanceof FulcrumError) || err.statusCode >= 500) throw err;
        // In the terminal the user's own input is quoted back, and the flag named as typed.
        if (err.errorName === 'NOT_FOUND') throw new UsageError(`no session "${id}" in project "${q.scope.project}"`);
        if (endpoint === 'outcomes' && q.by === 'user') throw new UsageError('outcomes are never shown per person: --by is one of team, repository, harness, use-case, all');
        throw new UsageError(err.message);
      }
    },
    close: () => store.close(),
  };
}

/** An endpoint's path with its session id filled in. */
const pathOf = (endpoint: Endpoint, id?: string) => ENDPOINTS[endpoint].path.replace(':id', encodeURIComponent(id ?? ''));

/** Why the server refused a request, in words that say what to do: no key, an unknown key, a revoked key, or a key of another project. */
function refusal(status: number, error: { code?: string; message?: string } | undefined, apiKey: string | undefined): string {
  if (error?.code === 'WRONG_PROJECT') {
    const detail = (error.message ?? '').replace(/^wrong project: /, '');
    return `${detail}. A key reads its own project only: leave out --project (and FULCRUM_PROJECT) to read the key's, or use a key of the project you named`;
  }
  if (!apiKey) return 'it requires an API key: pass --api-key or set FULCRUM_API_KEY';
  if (status === 403) return 'the API key was revoked (see fulcrum keys list)';
  return 'the server knows no such API key (mistyped, or created for another server or store)';
}

function remote(url: URL, apiKey: string | undefined): QueryBackend {
  return {
    via: `server ${url.origin}`,
    async get(endpoint, params, id) {
      parse(params); // the same one-line errors as the local path, before any request
      const u = new URL(pathOf(endpoint, id), url);
      // Only what the endpoint takes: the server refuses any other parameter, and the local path ignores it.
      const takes = ENDPOINTS[endpoint].params as readonly string[];
      for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && takes.includes(k)) u.searchParams.set(k, String(v));
      let res: Response;
      try {
        res = await fetch(u, { headers: { accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) } });
      } catch (err) {
        throw new UsageError(`cannot reach ${url.origin}: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
      }
      const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
      if (res.status === 401 || res.status === 403) throw new UsageError(`${url.origin} refused the request (${res.status}): ${refusal(res.status, body?.error, apiKey)}`);
      if (res.status >= 400 && res.status < 500) throw new UsageError(body?.error?.message ?? `server answered ${res.status}`);
      if (!res.ok) throw new Error(`server answered ${res.status}: ${body?.error?.message ?? ''}`);
      const total = res.headers.get('x-total-count');
      return { data: body, total: total === null ? undefined : Number(total) };
    },
    close: async () => undefined,
  };
}
