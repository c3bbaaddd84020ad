// Requests to the same-origin API, with the tab's API key when one was given (sessionStorage, never a URL).
import { useEffect, useState } from 'preact/hooks';

const KEY_STORAGE = 'fulcrum.apiKey';

/** An answer that was not 2xx, with the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface AuthState {
  /** True once an answer said a key is needed (401), or the stored key was refused (401/403). */
  needed: boolean;
  /** Why the key in use was refused; '' on the first prompt. */
  message: string;
  /** Bumps whenever a new key is set, so every request asks again. */
  generation: number;
}

let auth: AuthState = { needed: false, message: '', generation: 0 };
const authListeners = new Set<() => void>();
const setAuth = (next: Partial<AuthState>) => {
  auth = { ...auth, ...next };
  authListeners.forEach((l) => l());
};

function storedKey(): string | null {
  try {
    return window.sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/** Keeps the key for this tab and asks everything again with it. */
export function setApiKey(key: string): void {
  try {
    window.sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    // Storage refused (private mode): the key lives as long as the page.
    memoryKey = key;
  }
  setAuth({ needed: false, message: '', generation: auth.generation + 1 });
}
let memoryKey: string | null = null;

export function useAuth(): AuthState {
  const [state, setState] = useState(auth);
  useEffect(() => {
    const update = () => setState(auth);
    authListeners.add(update);
    update();
    return () => void authListeners.delete(update);
  }, []);
  return state;
}

/**
 * The API lets a project run two queries at once (more get 429) and about ten a second: requests
 * wait their turn here, and a 429 or a 503 with Retry-After is asked again after the wait it names.
 */
const MAX_IN_FLIGHT = 2;
const MAX_RETRIES = 4;
let inFlight = 0;
const waiting: (() => void)[] = [];

async function turn<T>(run: () => Promise<T>): Promise<T> {
  if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
  inFlight++;
  try {
    return await run();
  } finally {
    inFlight--;
    waiting.shift()?.();
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

/** GETs /api/… as JSON. A 401, or a 403 on a key the user gave, asks for a key. */
export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<{ body: T; headers: Headers }> {
  for (let attempt = 0; ; attempt++) {
    const key = storedKey() ?? memoryKey;
    const res = await turn(() => fetch(path, { signal, headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, credentials: 'same-origin' }));
    if ((res.status === 429 || res.status === 503) && attempt < MAX_RETRIES && res.headers.has('retry-after')) {
      const seconds = Number(res.headers.get('retry-after'));
      await sleep(Math.min(10, Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000 * (res.status === 429 ? 0.5 : 1), signal);
      continue;
    }
    if (res.ok) return { body: (await res.json()) as T, headers: res.headers };
    throw await errorOf(res, key);
  }
}

async function errorOf(res: Response, key: string | null): Promise<ApiError> {
  let code = 'HTTP_' + res.status;
  let message = `the server answered ${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; id?: string } | string; message?: string };
    if (body && typeof body.error === 'object' && body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      if (body.error.id) message += ` (error id ${body.error.id})`;
    } else if (body?.message) message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  if (res.status === 401 || (res.status === 403 && key)) setAuth({ needed: true, message: key ? message : '' });
  return new ApiError(res.status, code, message);
}

export interface ApiState<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  /** The X-Total-Count header, when the answer has one. */
  total?: number;
}

/** The answer to a GET, asked again when the path or the key changes; null asks nothing. */
export function useApi<T>(path: string | null): ApiState<T> {
  const { generation } = useAuth();
  const [state, setState] = useState<ApiState<T> & { path: string | null; generation: number }>({ loading: path !== null, path, generation });
  useEffect(() => {
    if (path === null) {
      setState({ loading: false, path, generation });
      return;
    }
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined, path, generation }));
    apiGet<T>(path, ctl.signal).then(
      ({ body, headers }) => {
        const total = headers.get('x-total-count');
        setState({ data: body, loading: false, total: total === null ? undefined : Number(total), path, generation });
      },
      (err: unknown) => {
        if (ctl.signal.aborted) return;
        const error = err instanceof ApiError ? err : new ApiError(0, 'NETWORK', `could not reach the server: ${(err as Error).message}`);
        setState({ loading: false, error, path, generation });
      },
    );
    return () => ctl.abort();
  }, [path, generation]);
  // Between a change of path and the effect that asks for it, the answer held is the old one: still loading.
  const stale = state.path !== path || state.generation !== generation;
  return { data: state.data, error: stale ? undefined : state.error, total: state.total, loading: path !== null && (stale || state.loading) };
}

/** /api/<path>?<scope params of the page URL, plus extras>; empty values are left out. */
export function apiPath(path: string, params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `/api/${path}${s ? `?${s}` : ''}`;
}
