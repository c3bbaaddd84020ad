import type { PriceTable } from '@fulcrum/vocab';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_DATA_DIR, openStore, readDataDirHolder, type Store } from '@fulcrum/store';
import {
  buildReport, BUDGET_PARAMS, getSession, leverageByGroup, listSessionPage, outcomesByGroup, parseQueryParams, QueryParamError, type BudgetParam, type QueryParams,
} from '@fulcrum/query';
import { UsageError } from '../errors.js';
import { describeStoreError, storeOptions } from '../store-flags.js';
import { loadConfigFromFlags, type EngineConfig } from '../config/index.js';

export type Endpoint = 'sessions' | 'session' | 'report' | 'leverage' | 'outcomes';

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

/** Reads the store directly, with the config file's weights, budgets and repeat threshold. */
function local(store: Store, config: EngineConfig, prices: PriceTable): QueryBackend {
  return {
    via: `${store.kind} store ${store.location}`,
    async get(endpoint, params, id) {
      const p = parse(params);
      const c = store.client;
      if (endpoint === 'sessions') {
        const page = await listSessionPage(c, p.scope, { sort: p.sort, limit: p.limit, weights: { ...config.weights, ...p.weights } });
        return { data: page.sessions, total: page.total };
      }
      // Flags (parameters) win over the config file, as they do over a server's settings.
      const weights = { ...config.weights, ...p.weights };
      if (endpoint === 'leverage') return { data: await leverageByGroup(c, p.scope, { by: p.by, weights }) };
      if (endpoint === 'outcomes') {
        if (p.by === 'user') throw new UsageError('outcomes are never shown per person: --by is one of team, repository, harness, use-case, all');
        return { data: await outcomesByGroup(c, p.scope, { by: p.by, weights, minGroupSize: config.minGroupSize }) };
      }
      if (endpoint === 'report') {
        const budgets = { repositoryUsd: config.repositoryBudgetUsd, ...p.budgets };
        return { data: await buildReport(c, p.scope, { by: p.by === 'all' ? undefined : p.by, worstSessions: p.worst, weights, runaway: config.runaway, budgets, minGroupSize: config.minGroupSize }) };
      }
      const d = await getSession(c, { ...p.scope, sessionId: id! }, { minRepeat: p.minRepeat ?? config.minRepeat, prices });
      if (!d) throw new UsageError(`no session "${id}" in project "${p.scope.project}"`);
      return { data: d };
    },
    close: () => store.close(),
  };
}

const PATHS: Record<Endpoint, (id?: string) => string> = {
  sessions: () => '/api/sessions',
  session: (id) => `/api/sessions/${encodeURIComponent(id!)}`,
  report: () => '/api/reports/waste',
  leverage: () => '/api/leverage',
  outcomes: () => '/api/outcomes',
};

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
      const u = new URL(PATHS[endpoint](id), url);
      for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
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
