import { describe, expect, it } from 'vitest';
import { deploymentOf, type Deployment } from './mode.js';

describe('deploymentOf', () => {
  it.each<[string, { databaseUrl?: string; redisUrl?: string }, Deployment]>([
    ['nothing set: embedded', {}, { mode: 'embedded', store: 'pglite', sharedState: 'in-process', liveBus: 'in-process' }],
    [
      'DATABASE_URL and REDIS_URL: server',
      { databaseUrl: 'postgres://db/rampart', redisUrl: 'redis://cache:6379' },
      { mode: 'server', store: 'postgres', sharedState: 'redis', liveBus: 'redis' },
    ],
    [
      'PostgreSQL without Redis: server, state in-process',
      { databaseUrl: 'postgres://db/rampart' },
      { mode: 'server', store: 'postgres', sharedState: 'in-process', liveBus: 'in-process' },
    ],
    [
      'Redis beside the embedded store: shared state in Redis',
      { redisUrl: 'redis://cache:6379' },
      { mode: 'embedded', store: 'pglite', sharedState: 'redis', liveBus: 'redis' },
    ],
    ['an empty DATABASE_URL is no server', { databaseUrl: '' }, { mode: 'embedded', store: 'pglite', sharedState: 'in-process', liveBus: 'in-process' }],
  ])('%s', (_, { databaseUrl, redisUrl }, expected) => {
    const config = {
      store: { dataDir: './data', retentionDays: 7, windowMinHits: 3, ...(databaseUrl !== undefined ? { databaseUrl } : {}) },
      redis: redisUrl ? { url: redisUrl } : {},
    };
    expect(deploymentOf(config as Parameters<typeof deploymentOf>[0])).toEqual(expected);
  });
});
