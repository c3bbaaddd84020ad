import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface SpoolOptions {
  /** Directory batches are written to while the store is unavailable. */
  dir: string;
  /** Most bytes the spool may hold; beyond it, writes are refused (503). @default 1073741824 (1 GiB) */
  maxBytes?: number;
  /** Writes one spooled batch to the store; rejects while it is still unavailable. */
  drainInto: (body: Buffer) => Promise<void>;
  /** How often to try draining, in ms. @default 1000 */
  drainIntervalMs?: number;
  /** Told about drain failures. @default ignore */
  onDrainError?: (err: Error) => void;
}

export type SpoolResult = { status: 'success' } | { status: 'full' };

/**
 * An on-disk queue of encoded batches the store could not take. A batch is
 * fsynced and renamed into place before the client is told 200, so a crash
 * loses nothing acknowledged; on restart the files left behind are replayed.
 * Replaying a batch twice is harmless: rows dedupe on their span key.
 */
export class Spool {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #drainInto: SpoolOptions['drainInto'];
  readonly #onDrainError: (err: Error) => void;
  readonly #timer: NodeJS.Timeout;
  #bytes = 0;
  #rows = 0;
  #seq = 0;
  #draining: Promise<void> | undefined;

  constructor(options: SpoolOptions) {
    this.#dir = options.dir;
    this.#maxBytes = options.maxBytes ?? 1024 ** 3;
    this.#drainInto = options.drainInto;
    this.#onDrainError = options.onDrainError ?? (() => undefined);
    mkdirSync(this.#dir, { recursive: true });
    for (const f of this.#files()) {
      this.#bytes += statSync(join(this.#dir, f)).size;
      this.#rows += rowsIn(f);
      this.#seq = Math.max(this.#seq, Number(f.split('-')[0]));
    }
    this.#timer = setInterval(() => void this.drain(), options.drainIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Bytes and rows waiting on disk. */
  get pending(): { bytes: number; rows: number } {
    return { bytes: this.#bytes, rows: this.#rows };
  }

  append(body: Buffer, rows: number): SpoolResult {
    const bytes = body.length;
    if (this.#bytes + bytes > this.#maxBytes) return { status: 'full' };
    const name = `${String(++this.#seq).padStart(12, '0')}-${rows}.batch`;
    const tmp = join(this.#dir, `.${name}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.#dir, name));
    this.#bytes += bytes;
    this.#rows += rows;
    return { status: 'success' };
  }

  /** Writes spooled batches to the store, oldest first, until one fails. */
  drain(): Promise<void> {
    this.#draining ??= this.#drainOnce().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #drainOnce(): Promise<void> {
    for (const f of this.#files()) {
      const path = join(this.#dir, f);
      const body = readFileSync(path);
      try {
        await this.#drainInto(body);
      } catch (err) {
        this.#onDrainError(err as Error);
        return;
      }
      unlinkSync(path);
      this.#bytes -= body.length;
      this.#rows -= rowsIn(f);
    }
  }

  #files(): string[] {
    return readdirSync(this.#dir).filter((f) => /^\d{12}-\d+\.batch$/.test(f)).sort();
  }
}

function rowsIn(file: string): number {
  return Number(file.split('-')[1]!.split('.')[0]);
}
