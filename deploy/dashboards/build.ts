import { dashboard } from './model.js';
import { overview } from './overview.js';
import { sessions } from './sessions.js';
import { tools } from './tools.js';
import { waste } from './waste.js';

/*
 * Builds dashboards/*.json from the definitions here and the query package's
 * SQL over the materialised analysis tables. Rebuild after changing either
 * (the package must be built first):
 *   npx tsc -b && npx vite-node deploy/dashboards/write.ts
 * tests/deploy/dashboards.test.ts fails while the committed files are stale.
 */

export const DASHBOARDS = { 'overview.json': overview, 'sessions.json': sessions, 'waste.json': waste, 'tools.json': tools } as const;

export async function buildDashboards(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [file, build] of Object.entries(DASHBOARDS)) out[file] = JSON.stringify(dashboard(await build()), null, 2) + '\n';
  return out;
}
