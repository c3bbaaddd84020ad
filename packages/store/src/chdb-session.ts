const QUEUED = new Set<PropertyKey>(['query', 'exec', 'command', 'insert', 'ping']);
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Settings = Record<string, string | number | boolean | undefined>;

/** The part of @clickhouse/client's Connection this needs. */
interface QueryingConnection {
  query(params: { query: string; query_id: string; clickhouse_settings?: Settings }): Promise<{ stream: NodeJS.ReadableStream & { resume(): unknown } }>;
}

/**
 * Makes chDB's one session behave like a server's independent queries. Two quirks:
 *
 * - **Settings stick.** chDB's connection applies a query's `clickhouse_settings`
 *   as `SET k = v` on the session, so they outlive the query: the health probe's
 *   `max_block_size = 1` made every later INSERT build one-row blocks (2 GiB RSS
 *   and half the throughput under load). Each setting a call gives is recorded
 *   with the value it had before Fulcrum first set it, and every later call that
 *   does not give it sends that value back.
 * - **Leftover output.** A query that fails after it started returning rows (a
 *   time limit, a runtime error) leaves those rows at the head of the next
 *   query's answer, possibly another project's. Calls are queued (the engine
 *   runs one at a time per connection anyway) and each failure is followed by a
 *   throwaway query that takes the leftover output.
 *
 * Closing waits for the calls already queued: chDB crashes the process
 * (SIGSEGV) when its session closes under a running query.
 */
export function isolateChdbQueries<C extends QueryingConnection>(connection: C): C {
  let tail: Promise<unknown> = Promise.resolve();
  let internal = 0;
  const query = (sql: string) => connection.query({ query: sql, query_id: `fulcrum-session-${++internal}` });
  const drain = () => query('SELECT 1').then((r) => r.stream.resume(), () => undefined);
  /** Settings Fulcrum has set on the session → their value before that. */
  const originals = new Map<string, string>();

  async function readSetting(name: string): Promise<string | undefined> {
    try {
      const r = await query(`SELECT toString(getSetting('${name}')) FORMAT TabSeparatedRaw`);
      let text = '';
      for await (const chunk of r.stream) text += String(chunk);
      return text.replace(/\n$/, '');
    } catch {
      return undefined; // not a setting the engine knows (an HTTP-only one the connection drops)
    }
  }

  async function withOriginals(params: unknown): Promise<unknown> {
    if (!params || typeof params !== 'object') return params;
    const given = (params as { clickhouse_settings?: Settings }).clickhouse_settings ?? {};
    for (const name of Object.keys(given)) {
      if (originals.has(name) || !SETTING_NAME.test(name)) continue;
      const value = await readSetting(name);
      if (value !== undefined) originals.set(name, value);
    }
    if (originals.size === 0) return params;
    return { ...params, clickhouse_settings: { ...Object.fromEntries(originals), ...given } };
  }

  const queued = (method: (params: unknown) => Promise<unknown>) => (params: unknown) => {
    const run = tail.then(async () => method.call(connection, await withOriginals(params)));
    tail = run.then(() => undefined, drain);
    return run;
  };
  return new Proxy(connection, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v; // the .chdb extension
      if (prop === 'close') return () => tail.then(() => (v as () => Promise<unknown>).call(target));
      // The rest are the connection's own, called on it (its fields are private).
      return QUEUED.has(prop) ? queued(v as (params: unknown) => Promise<unknown>) : (v as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
