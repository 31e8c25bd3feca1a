import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite instances and real servers are heavy; two workers match the 2-core machines we run on.
    pool: 'forks',
    maxWorkers: 2,
  },
});
