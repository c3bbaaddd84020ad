import type { SpanRow } from '@fulcrum/store';

/** Expected outcomes are values, not exceptions: a failed write is retryable by the client. */
export type WriteResult = { status: 'success' } | { status: 'retryable'; error: Error };

export interface BatchWriterOptions {
  /** Writes one batch; rejects when the store cannot take it. */
  insert: (rows: SpanRow[]) => Promise<void>;
  /** Flush once this many rows wait. @default 20000 */
  maxRows?: number;
  /** Flush rows that waited this long. @default 25 */
  maxDelayMs?: number;
  /** INSERTs in flight at once; two keep the engine busy while the next batch is encoded. @default 2 */
  maxInFlight?: number;
}

interface Pending {
  rows: SpanRow[];
  waiters: ((r: WriteResult) => void)[];
}

/**
 * Groups rows from concurrent requests into large INSERTs, because each INSERT
 * has a fixed cost of tens of milliseconds. A request's promise settles only
 * once its rows are written, so a 200 always means stored.
 */
export class BatchWriter {
  readonly #insert: BatchWriterOptions['insert'];
  readonly #maxRows: number;
  readonly #maxDelayMs: number;
  #pending: Pending = { rows: [], waiters: [] };
  readonly #maxInFlight: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: BatchWriterOptions) {
    this.#insert = options.insert;
    this.#maxRows = options.maxRows ?? 20_000;
    this.#maxDelayMs = options.maxDelayMs ?? 25;
    this.#maxInFlight = options.maxInFlight ?? 2;
  }

  /** Rows waiting for a flush. */
  get queued(): number {
    return this.#pending.rows.length;
  }

  write(rows: SpanRow[]): Promise<WriteResult> {
    if (rows.length === 0) return Promise.resolve({ status: 'success' });
    return new Promise((resolve) => {
      for (const r of rows) this.#pending.rows.push(r);
      this.#pending.waiters.push(resolve);
      if (this.#pending.rows.length >= this.#maxRows) this.#flushNow();
      else this.#timer ??= setTimeout(() => this.#flushNow(), this.#maxDelayMs);
    });
  }

  /** Writes everything queued; resolves when the store has it (or refused it). */
  async flush(): Promise<void> {
    while (this.#pending.rows.length > 0 || this.#inFlight.size > 0) {
      this.#flushNow();
      await Promise.race(this.#inFlight);
    }
  }

  #flushNow(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight.size >= this.#maxInFlight || this.#pending.rows.length === 0) return;
    const batch = this.#pending;
    this.#pending = { rows: [], waiters: [] };
    const done: Promise<void> = this.#insert(batch.rows)
      .then(
        () => settle(batch, { status: 'success' }),
        (error: Error) => settle(batch, { status: 'retryable', error }),
      )
      .finally(() => {
        this.#inFlight.delete(done);
        // Rows that arrived during the insert go out at once: the wait was the batching.
        if (this.#pending.rows.length > 0) this.#flushNow();
      });
    this.#inFlight.add(done);
  }
}

function settle(batch: Pending, result: WriteResult): void {
  for (const w of batch.waiters) w(result);
}
