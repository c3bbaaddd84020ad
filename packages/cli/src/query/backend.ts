import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_DATA_DIR, openStore, readDataDirHolder, type Store } from '@fulcrum/store';
import {
  buildReport, getSession, leverageByGroup, listSessions, parseQueryParams, QueryParamError, type QueryParams,
} from '@fulcrum/query';
import { UsageError } from '../errors.js';
import { storeOptions } from '../store-flags.js';
import { loadConfigFromFlags, type EngineConfig } from '../config/index.js';

export type Endpoint = 'sessions' | 'session' | 'report' | 'leverage';

/**
 * Answers a query command from the store or from a running server's API, with
 * the same JSON either way. An embedded data directory is held by one process,
 * so when `fulcrum serve` holds it the CLI asks that server instead.
 */
export interface QueryBackend {
  readonly via: string;
  get(endpoint: Endpoint, params: QueryParams, id?: string): Promise<unknown>;
  close(): Promise<void>;
}

export async function openBackend(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<QueryBackend> {
  const server = (values.server as string | undefined) ?? env.FULCRUM_SERVER;
  const apiKey = (values['api-key'] as string | undefined) ?? (env.FULCRUM_API_KEY || undefined);
  if (server) return remote(server, apiKey);
  const opts = storeOptions(values, env);
  if (!opts.url) {
    const dir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
    const holder = readDataDirHolder(dir);
    if (holder?.url) return remote(holder.url, apiKey);
    if (holder) throw new UsageError(`data directory ${dir} is held by process ${holder.pid}, which serves no API: stop it or pass --server`);
    if (!existsSync(dir)) throw new UsageError(`no data directory at ${dir}: run "fulcrum serve" and send spans, or "npm run demo"`);
  }
  loadConfigFromFlags(values, env); // a bad config fails before the store is opened
  let store: Store;
  try {
    store = await openStore(opts);
  } catch (err) {
    throw new UsageError(`cannot open the store: ${(err as Error).message.split('\n')[0]}`);
  }
  return local(store, loadConfigFromFlags(values, env).config);
}

/** Checks parameters before any store or server is touched, so a typo fails fast with the flag named. */
export function parse(params: QueryParams) {
  try {
    return parseQueryParams(params);
  } catch (err) {
    if (err instanceof QueryParamError) throw new UsageError(`--${err.param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${err.message.slice(err.param.length)}`);
    throw err;
  }
}

/** Reads the store directly, with the config file's weights, budgets and repeat threshold. */
function local(store: Store, config: EngineConfig): QueryBackend {
  return {
    via: `${store.kind} store ${store.location}`,
    async get(endpoint, params, id) {
      const p = parse(params);
      const c = store.client;
      if (endpoint === 'sessions') return listSessions(c, p.scope, { sort: p.sort, limit: p.limit, weights: config.weights });
      if (endpoint === 'leverage') return leverageByGroup(c, p.scope, { by: p.by, weights: config.weights });
      if (endpoint === 'report') return buildReport(c, p.scope, { by: p.by === 'all' ? undefined : p.by, worstSessions: p.worst, weights: config.weights, runaway: config.runaway });
      const d = await getSession(c, { ...p.scope, sessionId: id! }, { minRepeat: p.minRepeat ?? config.minRepeat });
      if (!d) throw new UsageError(`no session "${id}" in project "${p.scope.project}"`);
      return d;
    },
    close: () => store.close(),
  };
}

const PATHS: Record<Endpoint, (id?: string) => string> = {
  sessions: () => '/api/sessions',
  session: (id) => `/api/sessions/${encodeURIComponent(id!)}`,
  report: () => '/api/reports/waste',
  leverage: () => '/api/leverage',
};

function remote(base: string, apiKey: string | undefined): QueryBackend {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--server must be a URL such as http://127.0.0.1:4318, got "${base}"`);
  }
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
      const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
      if (res.status === 401 || res.status === 403) throw new UsageError(`${url.origin} refused the request (${res.status}): ${apiKey ? 'the API key is wrong or revoked' : 'it requires an API key: pass --api-key or set FULCRUM_API_KEY'}`);
      if (res.status >= 400 && res.status < 500) throw new UsageError(body?.error?.message ?? `server answered ${res.status}`);
      if (!res.ok) throw new Error(`server answered ${res.status}: ${body?.error?.message ?? ''}`);
      return body;
    },
    close: async () => undefined,
  };
}
