import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/*
 * vitest globalSetup: one temporary folder per run, under which every test's
 * data directory is made (tests/helpers/store.ts), removed when the run ends.
 * At the end of the whole run rather than after each file: every fork has
 * exited by then, so no libchdb session or child server still holds a
 * directory open, and runs going on side by side never touch each other's.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder this run's temporary directories go in. */
    tempRoot: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'fulcrum-run-'));
  project.provide('tempRoot', root);
  return () => rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
