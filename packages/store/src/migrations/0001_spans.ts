import { spansTableDdl } from '../tables/spans.js';
import type { Migration } from './migration.js';

export const migration0001: Migration = {
  id: 1,
  name: 'spans',
  statements: () => [spansTableDdl()],
};
