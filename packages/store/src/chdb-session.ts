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
 *   throwaway query that takes the leftover output. Inserts wait ahead of reads.
 *
 * Closing waits for the calls already queued: chDB crashes the process
 * (SIGSEGV) when its session closes under a running query.
 */
export function isolateChdbQueries<C extends QueryingConnection>(connection: C): C {
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

  // One call runs at a time. Writes go ahead of waiting reads: an INSERT then waits for the query
  // already running (and at most one read more), not for every report queued before it, so an
  // /api flood costs ingest about one query's time. Calls that are both pending are independent (a caller that needs an
  // order awaits the first), so reordering them changes no result.
  // Under sustained ingest the write lane is never empty, so a waiting read gets its turn after
  // WRITES_BEFORE_A_READ writes have passed it: reads (reports, the health probe) are delayed, never starved.
  const waiting: { write: Array<() => Promise<void>>; read: Array<() => Promise<void>> } = { write: [], read: [] };
  let running = false;
  let writesPassed = 0;
  const idleWaiters: Array<() => void> = [];
  const pump = () => {
    if (running) return;
    const readsTurn = waiting.read.length > 0 && (waiting.write.length === 0 || writesPassed >= WRITES_BEFORE_A_READ);
    const next = readsTurn ? waiting.read.shift() : waiting.write.shift();
    writesPassed = readsTurn || waiting.read.length === 0 ? 0 : writesPassed + 1;
    if (!next) {
      for (const wake of idleWaiters.splice(0)) wake();
      return;
    }
    running = true;
    void next().finally(() => {
      running = false;
      pump();
    });
  };
  const queued = (method: (params: unknown) => Promise<unknown>, prop: PropertyKey) => (params: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const lane = prop === 'insert' || isInsert(params) ? waiting.write : waiting.read;
      lane.push(async () => {
        try {
          resolve(await method.call(connection, await withOriginals(params)));
        } catch (err) {
          reject(err);
          await drain();
        }
      });
      pump();
    });
  const allDone = () => (running ? new Promise<void>((wake) => idleWaiters.push(wake)) : Promise.resolve());
  return new Proxy(connection, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v; // the .chdb extension
      if (prop === 'close') return () => allDone().then(() => (v as () => Promise<unknown>).call(target));
      // The rest are the connection's own, called on it (its fields are private).
      return QUEUED.has(prop) ? queued(v as (params: unknown) => Promise<unknown>, prop) : (v as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

const INSERT_STATEMENT = /^\s*INSERT\b/i;
/** Writes that may go ahead of a waiting read before it runs. */
const WRITES_BEFORE_A_READ = 2;

function isInsert(params: unknown): boolean {
  const sql = params && typeof params === 'object' ? (params as { query?: unknown }).query : undefined;
  return typeof sql === 'string' && INSERT_STATEMENT.test(sql);
}
