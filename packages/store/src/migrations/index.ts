import type { Migration } from './migration.js';
import { migration0001 } from './0001_spans.js';
import { migration0002 } from './0002_session_metrics.js';
import { migration0009 } from './0009_api_keys.js';

/** Every migration, in the order it applies. Append only: never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0009];
