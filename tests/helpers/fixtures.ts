import { fileURLToPath } from 'node:url';

/** The real-client captures, committed in tests/fixtures/real-clients (see its README). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/real-clients', import.meta.url));
