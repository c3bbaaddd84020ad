import type { Store } from '@fulcrum/store';

declare module 'fastify' {
  interface FastifyInstance {
    /** Recent outcomes of inserts, queries and probes, and standing conditions, for /healthz. */
    health: HealthTracker;
  }
}

/** What /healthz reports on; each is failing or not. */
export type HealthCheckName = 'inserts' | 'queries' | 'probe' | 'disk';

export interface HealthTrackerOptions {
  /** How long a failed insert or query keeps its check failing when nothing has succeeded since, in ms. @default 30000 */
  failureWindowMs?: number;
}

export interface HealthProblem {
  check: HealthCheckName;
  /** What failed, in words; never a path. */
  reason: string;
  /** When the check last failed (ISO 8601). */
  since: string;
}

interface CheckState {
  lastFailureAt: number;
  lastSuccessAt: number;
  reason: string;
  /** A condition stays failing until cleared (disk below low-water); an outcome fades after the window. */
  condition: boolean;
}

/**
 * The recent outcomes /healthz reports: inserts, API queries and the periodic
 * probe record successes and failures; a condition (disk below low-water) is
 * set and cleared. A check fails while its last failure is newer than its last
 * success and within the window, so a store that breaks while the process
 * lives makes /healthz degraded instead of 200.
 */
export class HealthTracker {
  readonly #windowMs: number;
  readonly #checks = new Map<HealthCheckName, CheckState>();

  constructor(options: HealthTrackerOptions = {}) {
    this.#windowMs = options.failureWindowMs ?? 30_000;
    if (!(this.#windowMs > 0)) throw new Error(`health: failureWindowMs must be positive, got ${options.failureWindowMs}`);
  }

  succeeded(check: HealthCheckName): void {
    const s = this.#state(check);
    s.lastSuccessAt = Date.now();
  }

  failed(check: HealthCheckName, reason: string): void {
    const s = this.#state(check);
    s.lastFailureAt = Date.now();
    s.reason = publicReason(reason);
  }

  /** Sets (reason) or clears (undefined) a standing condition. */
  setCondition(check: HealthCheckName, reason: string | undefined): void {
    const s = this.#state(check);
    s.condition = reason !== undefined;
    if (reason !== undefined) {
      if (s.lastFailureAt === 0 || s.reason !== reason) s.lastFailureAt = Date.now();
      s.reason = reason;
    }
  }

  problems(now = Date.now()): HealthProblem[] {
    const out: HealthProblem[] = [];
    for (const [check, s] of this.#checks) {
      const failing = s.condition || (s.lastFailureAt > s.lastSuccessAt && now - s.lastFailureAt < this.#windowMs);
      if (failing) out.push({ check, reason: s.reason, since: new Date(s.lastFailureAt).toISOString() });
    }
    return out;
  }

  #state(check: HealthCheckName): CheckState {
    let s = this.#checks.get(check);
    if (!s) this.#checks.set(check, (s = { lastFailureAt: 0, lastSuccessAt: 0, reason: '', condition: false }));
    return s;
  }
}

/**
 * ClickHouse errors name files (`Empty marks file '/data/store/…/x.cmrk2'`) and
 * client errors name hosts; /healthz is public, so paths and URLs are cut out.
 */
export function publicReason(message: string): string {
  return oneLine(message)
    .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, '<url>')
    .replace(/(^|[\s'"(=:])\/[^\s'"]*/g, '$1<path>')
    .slice(0, 300);
}

function oneLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/**
 * The store with its INSERTs reported to the tracker, as the span sink (batches
 * and spool drains alike) sees it; everything else is the store itself.
 */
export function storeReportingInserts(store: Store, health: HealthTracker): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'insertEncoded') {
        return (...args: Parameters<Store['insertEncoded']>) =>
          target.insertEncoded(...args).then(
            () => health.succeeded('inserts'),
            (err: Error) => {
              health.failed('inserts', `an insert failed: ${err.message}`);
              throw err;
            },
          );
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
