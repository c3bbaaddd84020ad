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
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #flushing = false;

  constructor(options: BatchWriterOptions) {
    this.#insert = options.insert;
    this.#maxRows = options.maxRows ?? 20_000;
    this.#maxDelayMs = options.maxDelayMs ?? 25;
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
      if (this.#pending.rows.length >= this.#maxRows && !this.#flushing) this.#flushNow();
      else this.#timer ??= setTimeout(() => this.#flushNow(), this.#maxDelayMs);
    });
  }

  /** Writes everything queued; resolves when the store has it (or refused it). */
  async flush(): Promise<void> {
    while (this.#pending.rows.length > 0 || this.#flushing) {
      if (!this.#flushing) this.#flushNow();
      await this.#inFlight;
    }
  }

  #flushNow(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#flushing || this.#pending.rows.length === 0) return;
    const batch = this.#pending;
    this.#pending = { rows: [], waiters: [] };
    this.#flushing = true;
    this.#inFlight = this.#insert(batch.rows).then(
      () => settle(batch, { status: 'success' }),
      (error: Error) => settle(batch, { status: 'retryable', error }),
    ).finally(() => {
      this.#flushing = false;
      if (this.#pending.rows.length >= this.#maxRows) this.#flushNow();
      else if (this.#pending.rows.length > 0) this.#timer ??= setTimeout(() => this.#flushNow(), this.#maxDelayMs);
    });
  }
}

function settle(batch: Pending, result: WriteResult): void {
  for (const w of batch.waiters) w(result);
}
