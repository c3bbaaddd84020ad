import type { Migration } from './migration.js';
import { migration0001 } from './0001_spans.js';
import { migration0002 } from './0002_session_metrics.js';
import { migration0009 } from './0009_api_keys.js';
import { migration0010 } from './0010_tool_facts.js';
import { migration0011 } from './0011_analysis.js';
import { migration0012 } from './0012_spans_trace.js';
import { migration0013 } from './0013_evidence.js';
import { migration0014 } from './0014_commits.js';
import { migration0015 } from './0015_delegation.js';
import { migration0016 } from './0016_session_commits.js';
import { migration0017 } from './0017_commit_survival.js';
import { migration0018 } from './0018_session_outcomes.js';
import { migration0019 } from './0019_vcs_commit.js';
import { migration0020 } from './0020_guard.js';

/** Every migration, in the order it applies. Append only: an applied migration is frozen text and never changes. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0009, migration0010, migration0011, migration0012, migration0013, migration0014, migration0015, migration0016, migration0017, migration0018, migration0019, migration0020];
