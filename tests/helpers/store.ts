import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh data directory per test file (libchdb binds one per process, and each file is its own fork). */
export function tempDataDir(prefix = 'fulcrum-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
