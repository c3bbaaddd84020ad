import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDashboards } from './build.js';

/* Writes dashboards/*.json: npx tsc -b && npx vite-node deploy/dashboards/write.ts */
const dir = fileURLToPath(new URL('../../dashboards/', import.meta.url));
for (const [file, text] of Object.entries(await buildDashboards())) {
  writeFileSync(dir + file, text);
  process.stdout.write(`wrote dashboards/${file}\n`);
}
