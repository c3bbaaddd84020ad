import type { Migration } from './migration.js';

/**
 * Frozen: spans_trace, the deduplicated spans (FINAL) for Grafana's trace view,
 * so a span delivered twice and not yet merged shows once. Never edit.
 */
export const migration0012: Migration = {
  id: 12,
  name: 'spans_trace',
  statements: (ctx) => [
    ctx.cluster
      ? `CREATE VIEW IF NOT EXISTS spans_trace ON CLUSTER ${ctx.cluster} AS SELECT * FROM spans FINAL`
      : 'CREATE VIEW IF NOT EXISTS spans_trace AS SELECT * FROM spans FINAL',
  ],
};
