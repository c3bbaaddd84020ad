import type { Migration } from './migration.js';
import { migration0001 } from './0001_spans.js';

/** Every migration, in the order it applies. Append only: never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [migration0001];
