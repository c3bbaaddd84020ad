import { defineConfig } from 'vitest/config';

// libchdb binds one data directory per process, so every test file runs in its own fork.
export default defineConfig({
  test: {
    pool: 'forks',
    poolOptions: { forks: { singleFork: false } },
    include: ['tests/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Temporary directories go in one folder per run, removed when the run ends.
    globalSetup: ['tests/helpers/temp-root.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    // CI also writes a JSON summary, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.ci/test-results.json' },
  },
});
