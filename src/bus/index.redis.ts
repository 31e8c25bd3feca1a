// The Redis live bus, apart from index.ts so that what imports the bus's queues does not load ioredis.
export { RedisBus, DEFAULT_LIVE_CHANNEL, type RedisBusLog, type RedisBusOptions, type RedisBusStats } from './redis.js';
