import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { batchFileName, decodeBatch, encodeHeader, parseBatchName, type BatchName } from './spool-format.js';
import { isDataRefusal } from './store-refusal.js';

export interface SpoolOptions {
  /** Directory batches are written to while the store is unavailable. */
  dir: string;
  /** Most bytes the spool may hold (headers included); beyond it, writes are refused (503). @default 1073741824 (1 GiB) */
  maxBytes?: number;
  /** Writes one spooled batch to the store; rejects while it is still unavailable. */
  drainInto: (body: Buffer) => Promise<void>;
  /** How often to try draining, in ms. @default 1000 */
  drainIntervalMs?: number;
  /** Told about drain failures, outages and refusals alike. @default ignore */
  onDrainError?: (err: Error) => void;
  /** Times the store may refuse a batch's data (a parse error, not an outage) before it is quarantined. @default 3 */
  maxRefusals?: number;
  /** Told once per batch moved to `<dir>/quarantine`. @default ignore */
  onQuarantine?: (notice: QuarantineNotice) => void;
}

/** A batch set aside because it is damaged or the store keeps refusing it. */
export interface QuarantineNotice {
  /** Where the batch now lies. */
  file: string;
  /** Rows its name says it holds. */
  rows: number;
  bytes: number;
  reason: string;
}

export type SpoolResult = { status: 'success' } | { status: 'full' } | { status: 'failed'; error: Error };

/** Counts of what the spool holds. */
export interface SpoolCounts {
  batches: number;
  bytes: number;
  rows: number;
}

const QUARANTINE = 'quarantine';
const TMP = /^\..*\.tmp$/;

/**
 * An on-disk queue of encoded batches the store could not take. A batch is
 * written in full, fsynced, renamed into place and its directory fsynced
 * before the client is told 200, so a crash loses nothing acknowledged; a
 * write that cannot complete leaves nothing behind and is answered 503.
 * Each batch carries its length and a checksum (spool-format.ts), verified
 * before replay; a damaged batch, or one the store keeps refusing as bad
 * data, is moved to `quarantine/` so it never blocks the batches after it.
 * Replaying a batch twice is harmless: rows dedupe on their span key.
 */
export class Spool {
  readonly #dir: string;
  readonly #quarantineDir: string;
  readonly #maxBytes: number;
  readonly #drainInto: SpoolOptions['drainInto'];
  readonly #onDrainError: (err: Error) => void;
  readonly #onQuarantine: (notice: QuarantineNotice) => void;
  readonly #maxRefusals: number;
  readonly #timer: NodeJS.Timeout;
  readonly #refusals = new Map<string, number>();
  #pending: SpoolCounts = { batches: 0, bytes: 0, rows: 0 };
  #quarantined: SpoolCounts = { batches: 0, bytes: 0, rows: 0 };
  #seq = 0;
  #draining: Promise<void> | undefined;

  constructor(options: SpoolOptions) {
    this.#dir = options.dir;
    this.#quarantineDir = join(options.dir, QUARANTINE);
    this.#maxBytes = options.maxBytes ?? 1024 ** 3;
    this.#drainInto = options.drainInto;
    this.#onDrainError = options.onDrainError ?? (() => undefined);
    this.#onQuarantine = options.onQuarantine ?? (() => undefined);
    this.#maxRefusals = options.maxRefusals ?? 3;
    mkdirSync(this.#dir, { recursive: true });
    // A write interrupted by a crash or a full disk was never acknowledged: its temporary file is debris.
    for (const f of readdirSync(this.#dir)) if (TMP.test(f)) unlinkSync(join(this.#dir, f));
    for (const [counts, dir] of [[this.#pending, this.#dir], [this.#quarantined, this.#quarantineDir]] as const) {
      for (const [f, name] of batchesIn(dir)) {
        add(counts, statSync(join(dir, f)).size, name);
        // Sequence numbers continue past quarantined batches too, so a later quarantine never overwrites one.
        this.#seq = Math.max(this.#seq, name.seq);
      }
    }
    this.#timer = setInterval(() => void this.drain(), options.drainIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Bytes and rows waiting on disk. */
  get pending(): { bytes: number; rows: number } {
    return { bytes: this.#pending.bytes, rows: this.#pending.rows };
  }

  /** Batches, bytes and rows waiting on disk. */
  get pendingCounts(): SpoolCounts {
    return { ...this.#pending };
  }

  /** Batches, bytes and rows set aside in `quarantine/`, including those found there at start. */
  get quarantined(): SpoolCounts {
    return { ...this.#quarantined };
  }

  /** Writes a batch durably; anything but `success` means nothing was kept and the client must retry. */
  append(body: Buffer, rows: number): SpoolResult {
    const header = encodeHeader(body, rows);
    const bytes = header.length + body.length;
    if (this.#pending.bytes + bytes > this.#maxBytes) return { status: 'full' };
    const seq = ++this.#seq;
    const name = batchFileName(seq, rows);
    const tmp = join(this.#dir, `.${name}.tmp`);
    const path = join(this.#dir, name);
    try {
      const fd = openSync(tmp, 'w');
      try {
        writeFully(fd, header);
        writeFully(fd, body);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch (err) {
      removeQuietly(tmp);
      return { status: 'failed', error: err as Error };
    }
    try {
      fsyncDir(this.#dir);
    } catch (err) {
      // The rename may not survive a crash, so it is not acknowledged; if it cannot be undone, it still drains.
      if (!removeQuietly(path)) add(this.#pending, bytes, { seq, rows, version: 2 });
      return { status: 'failed', error: err as Error };
    }
    add(this.#pending, bytes, { seq, rows, version: 2 });
    return { status: 'success' };
  }

  /** Writes spooled batches to the store, oldest first, until the store is found down. */
  drain(): Promise<void> {
    this.#draining ??= this.#drainOnce().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #drainOnce(): Promise<void> {
    for (const [f, name] of this.#batches()) {
      const path = join(this.#dir, f);
      let file: Buffer;
      try {
        file = readFileSync(path);
      } catch (err) {
        this.#onDrainError(err as Error);
        return; // an unreadable spool directory is an outage of its own: try again next pass
      }
      const body = this.#bodyOf(file, name);
      if (typeof body === 'string') {
        this.#quarantine(f, name, file.length, body);
        continue;
      }
      try {
        await this.#drainInto(body);
      } catch (err) {
        this.#onDrainError(err as Error);
        if (!isDataRefusal(err)) return; // the store is down or slow: later batches would fail the same way
        const refusals = (this.#refusals.get(f) ?? 0) + 1;
        this.#refusals.set(f, refusals);
        // The type and code, not the message: a parse error may quote bytes of the batch.
        const { type, code } = err as { type?: string; code?: string };
        if (refusals >= this.#maxRefusals) this.#quarantine(f, name, file.length, `the store refused it ${refusals} times (${type}, code ${code})`);
        continue; // refused for its own bytes: the batches after it may well go in
      }
      this.#refusals.delete(f);
      unlinkSync(path);
      remove(this.#pending, file.length, name);
    }
  }

  /** The body to replay, or why the file cannot be trusted. */
  #bodyOf(file: Buffer, name: BatchName): Buffer | string {
    if (name.version === 1) return file.length === 0 && name.rows > 0 ? `empty, but named for ${name.rows} rows` : file;
    const decoded = decodeBatch(file, name.rows);
    return decoded.status === 'valid' ? decoded.body : decoded.reason;
  }

  #quarantine(f: string, name: BatchName, bytes: number, reason: string): void {
    const to = join(this.#quarantineDir, f);
    try {
      mkdirSync(this.#quarantineDir, { recursive: true });
      renameSync(join(this.#dir, f), to);
    } catch (err) {
      this.#onDrainError(new Error(`could not quarantine spool batch ${f} (${reason}): ${(err as Error).message}`));
      return;
    }
    try {
      fsyncDir(this.#quarantineDir);
      fsyncDir(this.#dir);
    } catch {
      // Moved already; should the move be lost in a crash, the batch is simply checked and quarantined again.
    }
    this.#refusals.delete(f);
    remove(this.#pending, bytes, name);
    add(this.#quarantined, bytes, name);
    this.#onQuarantine({ file: to, rows: name.rows, bytes, reason });
  }

  #batches(): [string, BatchName][] {
    return batchesIn(this.#dir);
  }
}

/** Batch files in `dir`, oldest first; none when it does not exist. */
function batchesIn(dir: string): [string, BatchName][] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  const batches: [string, BatchName][] = [];
  for (const f of files) {
    const name = parseBatchName(f);
    if (name) batches.push([f, name]);
  }
  return batches.sort((a, b) => a[1].seq - b[1].seq);
}

/** writeSync may write fewer bytes than asked (a nearly full disk); keep going until all are down or it throws. */
function writeFully(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) {
    const n = writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error(`short write: ${off} of ${buf.length} bytes, then no progress`), { code: 'EIO' });
    off += n;
  }
}

/** Makes a rename durable; file systems that cannot fsync a directory at all are taken at their word. */
function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP') throw err;
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function add(c: SpoolCounts, bytes: number, name: BatchName): void {
  c.batches += 1;
  c.bytes += bytes;
  c.rows += name.rows;
}

function remove(c: SpoolCounts, bytes: number, name: BatchName): void {
  c.batches -= 1;
  c.bytes -= bytes;
  c.rows -= name.rows;
}
