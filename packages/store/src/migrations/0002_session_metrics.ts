import { sessionMetricsTableDdl } from '../tables/session-metrics.js';
import type { Migration } from './migration.js';

export const migration0002: Migration = {
  id: 2,
  name: 'session_metrics',
  statements: () => [sessionMetricsTableDdl()],
};
