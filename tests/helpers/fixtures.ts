import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real-client captures live in shared/, beside the repository (in CI too, beside the fresh clone). */
function locate(): string {
  const beside = fileURLToPath(new URL('../../../shared/fixtures/real-clients', import.meta.url));
  return process.env.FULCRUM_FIXTURES ?? (existsSync(beside) ? beside : '/work/shared/fixtures/real-clients');
}

export const FIXTURES = locate();
