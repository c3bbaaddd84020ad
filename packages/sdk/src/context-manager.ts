/**
 * A private AsyncLocalStorage context manager. startTracing gives the wrappers
 * their own, so Fulcrum never registers over (or reads) the host's global
 * context manager, and the host's OpenTelemetry never sees Fulcrum's context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

export class AsyncLocalContextManager implements ContextManager {
  private storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    if (thisArg === undefined) return this.storage.run(ctx, fn, ...args);
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }

  /** Binds functions only (event emitters are not the wrappers' business). */
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]): unknown => this.with(ctx, target as (...a: unknown[]) => unknown, undefined, ...args);
    return run as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    this.storage = new AsyncLocalStorage<Context>();
    return this;
  }
}
