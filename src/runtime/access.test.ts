/** Access of a role's API from config: auth.mode off only on loopback; the first-run key, once, never logged. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../api/index.js';
import { configSchema, type ConfigInput } from '../config/index.js';
import { openStore, type Store } from '../store/index.js';
import { checkAuthMode, runtimeAccess } from './access.js';

const config = (input: ConfigInput) => configSchema.parse(input);

describe('checkAuthMode', () => {
  it.each([
    ['keys', '0.0.0.0', true],
    ['keys', '127.0.0.1', true],
    ['off', '127.0.0.1', true],
    ['off', '::1', true],
    ['off', '0.0.0.0', false],
    ['off', '192.168.1.5', false],
  ] as const)('auth.mode %s on %s: allowed %s', (mode, host, allowed) => {
    const run = () => checkAuthMode(config({ auth: { mode }, server: { host } }));
    if (allowed) expect(run).not.toThrow();
    else expect(run).toThrow(`config auth.mode: off is refused on server.host ${host}`);
  });
});

describe('runtimeAccess', () => {
  let store: Store;
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, done) => void (lines.push(c.toString()), done()) }));
  const link = { ready: Promise.resolve({ migrations: { applied: [], pending: [] }, checkpoints: [] }) };

  beforeAll(async () => {
    store = await openStore({ databaseUrl: 'memory://' });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
  });

  it('creates the first-run admin key once, on a loopback bind only, and never logs it', async () => {
    const wide = await runtimeAccess(config({ server: { host: '0.0.0.0' } }), store, link, logger);
    expect(await wide.firstRunKey).toBeNull();
    const given = await runtimeAccess(config({ auth: { apiKey: 'rk_provisioned-by-environment-0123' } }), store, link, logger);
    expect(await given.firstRunKey).toBeNull();
    expect(given.access.bootstrapKey).toBe('rk_provisioned-by-environment-0123');
    expect(await store.apiKeys.count()).toBe(0);

    const first = await runtimeAccess(config({}), store, link, logger);
    expect(first.access).toMatchObject({ mode: 'keys', limits: { perKey: 1200, perIp: 600, failedAuth: 10, windowMs: 60_000 }, corsOrigins: [] });
    const key = await first.firstRunKey;
    expect(key).toMatch(/^rk_/);
    expect(await store.apiKeys.findByHash(hashApiKey(key!))).toMatchObject({ name: 'first-run', scopes: ['admin'], revokedAt: null });
    expect(lines.join('')).toContain('first-run admin key created');
    expect(lines.join('')).not.toContain(key!);

    const second = await runtimeAccess(config({}), store, link, logger);
    expect(await second.firstRunKey).toBeNull();
    expect(await store.apiKeys.count()).toBe(1);
  }, 30_000);

  it('auth.mode off is open, with a warning in the log', async () => {
    const open = await runtimeAccess(config({ auth: { mode: 'off' } }), store, link, logger);
    expect(open.access.mode).toBe('open');
    expect(await open.firstRunKey).toBeNull();
    expect(lines.join('')).toContain('auth.mode is off');
  });
});
