import type { SpanRow } from '@fulcrum/store';
import { mergeRows } from './merge.js';

/**
 * Which signal a row came from. Version is the OR of the flags merged into the
 * row, so a row knowing more always has a higher Version than any row it
 * contains, and ReplacingMergeTree keeps the union. A log row alone (4) beats a
 * trace row plus its execution patch (3): the log says success, cost and args.
 */
export const SIGNAL = { TRACE: 1, PATCH: 2, LOG: 4 } as const;

export interface PendingRow {
  row: SpanRow;
  signal: number;
  /** A partial row (e.g. tool.execution's outcome) never stored on its own. */
  patch?: boolean;
}

interface Entry {
  row: SpanRow;
  signals: number;
  patchOnly: boolean;
}

export interface JoinCacheOptions {
  /** Calls remembered for joining with a later signal. @default 50000 */
  maxEntries?: number;
}

/**
 * Joins the log and trace reports of one harness call at ingest time. Both
 * already share a deterministic key (ids.ts), so without this cache each is
 * stored alone and the richer one wins; with it, a signal arriving after the
 * other (seconds later, in another request) is merged and stored as the union.
 */
export class JoinCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(options: JoinCacheOptions = {}) {
    this.#max = options.maxEntries ?? 50_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Merges each pending row with what is known of its call; returns the rows to write. */
  resolve(pending: PendingRow[]): SpanRow[] {
    const out = new Map<string, SpanRow>();
    for (const p of pending) {
      const key = `${p.row.Project}|${p.row.SessionId}|${p.row.TraceId}|${p.row.SpanId}`;
      const known = this.#entries.get(key);
      let entry: Entry;
      if (!known) entry = { row: p.row, signals: p.signal, patchOnly: p.patch === true };
      else if ((known.signals & p.signal) !== 0 && !known.patchOnly) entry = { ...known, row: p.signal === SIGNAL.LOG ? mergeRows(p.row, known.row) : mergeRows(known.row, p.row) };
      else entry = { row: p.signal === SIGNAL.LOG ? mergeRows(p.row, known.row) : mergeRows(known.row, p.row), signals: known.signals | p.signal, patchOnly: known.patchOnly && p.patch === true };
      entry.row.Version = entry.signals;
      this.#remember(key, entry);
      if (!entry.patchOnly) out.set(key, entry.row);
    }
    return [...out.values()];
  }

  #remember(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
