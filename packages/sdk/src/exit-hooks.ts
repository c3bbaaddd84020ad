/**
 * Flushes finished spans when the host exits: on beforeExit (the event loop
 * ran dry; the queue's timers are unref'd so they never keep it alive) and on
 * SIGINT/SIGTERM. Signal handling stays the host's: when the host listens for
 * the signal itself, Fulcrum only flushes alongside; when nobody else does,
 * Fulcrum flushes (bounded) and then re-raises the signal so the process ends
 * exactly as it would have without Fulcrum.
 */
export interface ExitHooks {
  /** Removes the listeners (shutdown calls it). */
  remove(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Installs the listeners. `flush` must resolve within its own timeout and never
 * reject; `hasPending` says whether any span waits (beforeExit fires again after
 * every flush, so an empty queue must schedule nothing, or the process never ends).
 */
export function installExitHooks(flush: () => Promise<unknown>, hasPending: () => boolean): ExitHooks {
  let flushingForExit: Promise<unknown> | undefined;
  const onBeforeExit = (): void => {
    if (flushingForExit || !hasPending()) return;
    flushingForExit = flush().finally(() => {
      flushingForExit = undefined;
    });
  };
  let flushingForSignal = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Decided now, not at install: the host may have added its handler after Fulcrum started.
    const hostHandles = process.listenerCount(signal) > 1;
    if (flushingForSignal) {
      // A second Ctrl-C while flushing means "now": stop waiting for the export.
      if (!hostHandles) {
        remove();
        process.kill(process.pid, signal);
      }
      return;
    }
    flushingForSignal = true;
    void flush().finally(() => {
      flushingForSignal = false;
      if (hostHandles) return;
      remove();
      process.kill(process.pid, signal);
    });
  };
  const remove = (): void => {
    process.off('beforeExit', onBeforeExit);
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  process.on('beforeExit', onBeforeExit);
  for (const s of SIGNALS) process.on(s, onSignal);
  return { remove };
}
