/** The analytics cache in Redis through the API: a second identical aggregate is a hit, stored under the prefix. */
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { REDIS_URL, serviceAvailable } from '../../enrich/testing/services.js';
import { PipelineMetrics } from '../../pipeline/index.js';
import { openStore } from '../../store/index.js';
import { createApi } from '../app.js';
import { OPEN_ACCESS_FOR_TESTS } from '../auth/access-control.js';
import { dataset, NOW } from '../testing/fixtures.js';

const up = await serviceAvailable('redis');
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

it.skipIf(!up)('caches /api/overview in Redis when a client is passed in', { timeout: 60_000 }, async () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  cleanup.push(() => redis.quit());
  const store = await openStore({ databaseUrl: 'memory://' });
  cleanup.push(() => store.close());
  const { events, threats } = dataset();
  await store.writer.write({ events, threats, checkpoints: [] });
  // A clock of its own, so this run's keys are not another run's (the generation starts at 1 in every fresh store).
  const clock = () => NOW + Math.floor(Math.random() * 1e6) * 60_000;
  const now = clock();
  const app = createApi({ store, pipeline: new PipelineMetrics(() => now), readiness: async () => ({ checks: {} }), logger: pino({ level: 'silent' }), version: 't', clock: () => now, cacheRedis: redis, access: OPEN_ACCESS_FOR_TESTS });
  cleanup.push(() => app.close());
  const a = await app.inject('/api/overview?range=7d');
  const b = await app.inject('/api/overview?range=7d');
  expect(a.statusCode).toBe(200);
  expect(b.json()).toEqual(a.json());
  expect(app.analyticsCache.stats()).toMatchObject({ hits: 1, misses: 1, errors: 0 });
  const until = new Date(Math.ceil(now / 60_000) * 60_000).getTime();
  const keys = await redis.keys(`rampart:analytics:overview:*${until}*`);
  expect(keys.length).toBe(1);
  expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  await redis.del(keys[0]!);
});
