import { apiKeysTableDdl } from '../tables/api-keys.js';
import type { Migration } from './migration.js';

export const migration0009: Migration = {
  id: 9,
  name: 'api_keys',
  statements: () => [apiKeysTableDdl()],
};
