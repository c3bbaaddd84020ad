import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS, RESULT_SCHEMAS } from '@fulcrum/api';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('response schemas come from the query package types', () => {
  it('the committed schemas are what the generator makes of the types today (run node scripts/gen-api-schemas.mjs)', async () => {
    const { generateSchemas } = (await import(pathToFileURL(`${root}scripts/gen-api-schemas.mjs`).href)) as { generateSchemas(): string };
    expect(readFileSync(`${root}packages/api/src/generated/schemas.ts`, 'utf8')).toBe(generateSchemas());
  }, 60_000);

  it('names a schema for every endpoint, and each is a type of the query package', () => {
    for (const e of Object.values(ENDPOINTS)) expect(Object.keys(RESULT_SCHEMAS), e.path).toContain(e.response.type);
    // What a client relies on: the figures a session list row carries are required, so an answer without one fails loudly.
    expect(RESULT_SCHEMAS.SessionSummary.required).toEqual(expect.arrayContaining(['sessionId', 'spendUsd', 'wasteUsd', 'leverage', 'tokens']));
  });
});
