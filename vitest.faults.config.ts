import { defineConfig } from 'vitest/config';

// `npm run faults`: the long fault runs (private PostgreSQL stopped for a minute, thousands of malformed
// requests, 100 MB lines). The short regressions of the same faults live beside the code and run in `npm test`.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
