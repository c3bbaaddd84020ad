import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

/**
 * A fresh temporary directory (libchdb binds one data directory per process, and each file is its own fork).
 * It lies in the run's folder (tests/helpers/temp-root.ts), which is removed when the run ends.
 */
export function tempDataDir(prefix = 'fulcrum-test-'): string {
  return mkdtempSync(join(inject('tempRoot') ?? tmpdir(), prefix));
}
