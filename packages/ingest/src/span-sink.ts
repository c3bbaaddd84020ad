import { encodeSpanRows, writeEncodedSpans, type SpanRow, type Store } from '@fulcrum/store';
import { BatchWriter } from './writer.js';
import { Spool, type QuarantineNotice } from './spool.js';
import { isDataRefusal } from './store-refusal.js';

export interface SpanSinkOptions {
  store: Store;
  /** Spool directory for batches the store cannot take; without it, such batches get 503. @default undefined */
  spoolDir?: string;
  /** Spool size cap in bytes. @default 1073741824 (1 GiB) */
  spoolMaxBytes?: number;
  /** An INSERT slower than this is treated as a store outage and its batch spooled, in ms. @default 10000 */
  insertTimeoutMs?: number;
  /** Flush a batch at this many rows. @default 20000 */
  batchMaxRows?: number;
  /** Flush a batch after this many milliseconds. @default 25 */
  batchMaxDelayMs?: number;
  /** Told when the store refuses a batch or a drain fails. @default ignore */
  onStoreError?: (err: Error) => void;
  /** Times the store may refuse a spooled batch as bad data before it is quarantined. @default 3 */
  spoolMaxRefusals?: number;
  /** Told once per spooled batch set aside in `<spoolDir>/quarantine` (damaged, or refused by the store). @default ignore */
  onQuarantine?: (notice: QuarantineNotice) => void;
  /** Told when a batch could not be written to the spool (a full or failing disk); its requests get 503. @default ignore */
  onSpoolWriteError?: (err: Error) => void;
}

export interface SpanSink {
  writer: BatchWriter;
  spool: Spool | undefined;
  /** Rows accepted but not yet in the store. */
  queuedRows(): number;
  close(): Promise<void>;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Where accepted spans go: batched INSERTs, falling back to the on-disk spool while the store is down or slow. */
export function createSpanSink(options: SpanSinkOptions): SpanSink {
  const { store } = options;
  const timeoutMs = options.insertTimeoutMs ?? 10_000;
  const onError = options.onStoreError ?? (() => undefined);
  const onSpoolWriteError = options.onSpoolWriteError ?? (() => undefined);
  const spool = options.spoolDir
    ? new Spool({
        dir: options.spoolDir,
        maxBytes: options.spoolMaxBytes,
        drainInto: (body) => withTimeout(writeEncodedSpans(store, body), timeoutMs),
        onDrainError: onError,
        maxRefusals: options.spoolMaxRefusals,
        onQuarantine: options.onQuarantine,
      })
    : undefined;
  const insert = async (rows: SpanRow[]) => {
    const body = encodeSpanRows(rows);
    try {
      await withTimeout(writeEncodedSpans(store, body), timeoutMs);
    } catch (err) {
      onError(err as Error);
      // Bytes the store refuses as data would only be refused again from the spool, then quarantined: never acknowledge them.
      if (!spool || isDataRefusal(err)) throw err;
      // Acknowledged once on disk; a late INSERT that still lands is deduplicated on replay.
      const spooled = spool.append(body, rows.length);
      if (spooled.status === 'failed') onSpoolWriteError(spooled.error);
      // The store's error is what the client is answered with (STORE_UNAVAILABLE, 503 + Retry-After).
      if (spooled.status !== 'success') throw err;
    }
  };
  const writer = new BatchWriter({ insert, maxRows: options.batchMaxRows, maxDelayMs: options.batchMaxDelayMs });
  if (spool && spool.pending.rows > 0) void spool.drain();
  return {
    writer,
    spool,
    queuedRows: () => writer.queued + (spool?.pending.rows ?? 0),
    async close() {
      await writer.flush();
      if (spool) {
        await spool.drain();
        spool.close();
      }
    },
  };
}
