import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** What the process holding an embedded data directory left for others to find it. */
export interface DataDirHolder {
  pid: number;
  /** Base URL of the holder's HTTP API, when it serves one. */
  url?: string;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  readonly code = 'FULCRUM_DATA_DIR_LOCKED';
  constructor(readonly dataDir: string, readonly holder: DataDirHolder) {
    super(`data directory ${dataDir} is held by process ${holder.pid}${holder.url ? ` (serving ${holder.url})` : ''}`);
  }
}

const LOCK_FILE = 'fulcrum.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readDataDirHolder(dataDir: string): DataDirHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as DataDirHolder;
    return holder.pid !== process.pid && isAlive(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data directory for this process, because libchdb opens one
 * directory per process and a second process would corrupt or block on it.
 * A lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): { update(url: string): void; release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const holder = readDataDirHolder(dataDir);
  if (holder) throw new DataDirLockedError(dataDir, holder);
  const write = (h: DataDirHolder) => writeFileSync(path, JSON.stringify(h));
  const mine: DataDirHolder = { pid: process.pid, startedAt: new Date().toISOString() };
  try {
    closeSync(openSync(path, 'wx'));
  } catch {
    // stale lock from a dead process: taken over below
  }
  write(mine);
  return {
    update(url) {
      write({ ...mine, url });
    },
    release() {
      try {
        const h = JSON.parse(readFileSync(path, 'utf8')) as DataDirHolder;
        if (h.pid === process.pid) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
