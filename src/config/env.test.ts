import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.js';
import { parseDotEnv } from './dotenv.js';
import { envLayerWithOrigins, loadConfig } from './load.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-env-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('.env', () => {
  it('is read from the working directory, below real environment variables and above the config file', () => {
    const cwd = dirWith({
      '.env': 'RAMPART_PORT=9001\nRAMPART_RETENTION_DAYS=4\n# a comment\nLOG_LEVEL="debug"\n',
      'rampart.yaml': 'server:\n  port: 9000\n  host: 0.0.0.0\nstore:\n  retentionDays: 2\n',
    });
    const { config, dotEnvFile, file, origins } = loadConfig({ cwd, env: { RAMPART_PORT: '9002' } });
    expect(dotEnvFile).toBe(join(cwd, '.env'));
    expect(file).toBe(join(cwd, 'rampart.yaml'));
    expect(config.server.port).toBe(9002); // real env over .env
    expect(config.store.retentionDays).toBe(4); // .env over file
    expect(config.server.host).toBe('0.0.0.0'); // file over default
    expect(config.log.level).toBe('debug');
    expect(origins.get('server.port')).toEqual({ layer: 'env', variable: 'RAMPART_PORT' });
    expect(origins.get('store.retentionDays')).toEqual({ layer: '.env', variable: 'RAMPART_RETENTION_DAYS' });
    expect(origins.get('server.host')).toEqual({ layer: 'config file' });
    expect(origins.get('ingest.logs')).toEqual({ layer: 'default' });
  });

  it('is not read when turned off, and its absence is no error', () => {
    const cwd = dirWith({ '.env': 'RAMPART_PORT=9001\n' });
    expect(loadConfig({ cwd, env: {}, dotEnv: false }).config.server.port).toBe(8000);
    expect(loadConfig({ cwd: dirWith({}), env: {} }).dotEnvFile).toBeNull();
  });

  it('names a bad value with its variable', () => {
    const cwd = dirWith({ '.env': 'PORT=eighty\n' });
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/PORT: expected a number, got "eighty"/);
  });

  it('parses quotes, export and comments like the services Rampart replaces', () => {
    expect(parseDotEnv('export A=1\nB="two words"\nC=\'x#y\'\n# c\nD=\n')).toEqual({ A: '1', B: 'two words', C: 'x#y', D: '' });
  });
});

describe('aliases', () => {
  const layer = (env: Record<string, string>) => envLayerWithOrigins(env);

  it.each<[string, Record<string, string>, string, unknown, string]>([
    ['PORT', { PORT: '8080' }, 'server.port', 8080, 'PORT'],
    ['API_PORT over PORT', { PORT: '8080', API_PORT: '8081' }, 'server.port', 8081, 'API_PORT'],
    ["Rampart's own name over aliases", { PORT: '8080', API_PORT: '8081', RAMPART_PORT: '8082' }, 'server.port', 8082, 'RAMPART_PORT'],
    ['HTTP_TIMEOUT in seconds', { HTTP_TIMEOUT: '2.5' }, 'enrich.http.readTimeoutMs', 2500, 'HTTP_TIMEOUT'],
    ['HTTP_READ_TIMEOUT over HTTP_TIMEOUT', { HTTP_TIMEOUT: '2', HTTP_READ_TIMEOUT: '7' }, 'enrich.http.readTimeoutMs', 7000, 'HTTP_READ_TIMEOUT'],
    ['HTTP_CONNECT_TIMEOUT', { HTTP_CONNECT_TIMEOUT: '1' }, 'enrich.http.connectTimeoutMs', 1000, 'HTTP_CONNECT_TIMEOUT'],
    ['SOURCE_TIMEOUT', { SOURCE_TIMEOUT: '12' }, 'enrich.http.deadlineMs', 12000, 'SOURCE_TIMEOUT'],
    ['COLLECTOR_INTERVAL', { COLLECTOR_INTERVAL: '30' }, 'enrich.collector.intervalSeconds', 30, 'COLLECTOR_INTERVAL'],
    ['ENRICH_TTL_SECONDS', { ENRICH_TTL_SECONDS: '3600' }, 'enrich.collector.ttlSeconds', 3600, 'ENRICH_TTL_SECONDS'],
    ['REDIS_HOST/PORT/DB', { REDIS_HOST: 'cache', REDIS_PORT: '6380', REDIS_DB: '2' }, 'redis.url', 'redis://cache:6380/2', 'REDIS_HOST+REDIS_PORT+REDIS_DB'],
    ['REDIS_DB alone', { REDIS_DB: '3' }, 'redis.url', 'redis://127.0.0.1:6379/3', 'REDIS_DB'],
    ['REDIS_URL over REDIS_HOST', { REDIS_URL: 'redis://a:1', REDIS_HOST: 'b' }, 'redis.url', 'redis://a:1', 'REDIS_URL'],
    ['DB_* composed', { DB_HOST: 'db', DB_PORT: '5433', DB_NAME: 'ramp', DB_USER: 'r' }, 'store.databaseUrl', 'postgres://r@db:5433/ramp', 'DB_HOST+DB_PORT+DB_NAME+DB_USER'],
    [
      'DB_* special characters URL-encoded',
      { DB_HOST: 'db', DB_USER: 'me@corp', DB_PASSWORD: 'p@ss:w/rd?#%', DB_NAME: 'my db' },
      'store.databaseUrl',
      'postgres://me%40corp:p%40ss%3Aw%2Frd%3F%23%25@db/my%20db',
      'DB_HOST+DB_NAME+DB_USER+DB_PASSWORD',
    ],
    ['DB_HOST IPv6', { DB_HOST: '::1' }, 'store.databaseUrl', 'postgres://[::1]/', 'DB_HOST'],
    ['DATABASE_URL over DB_*', { DATABASE_URL: 'postgres://x/y', DB_HOST: 'db' }, 'store.databaseUrl', 'postgres://x/y', 'DATABASE_URL'],
  ])('%s', (_name, env, key, value, variable) => {
    const { layer: l, origins } = layer(env);
    const got = key.split('.').reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], l);
    expect(got).toEqual(value);
    expect(origins.get(key)).toBe(variable);
  });

  it('a composed password survives the round trip through the URL', () => {
    const url = layer({ DB_HOST: 'db', DB_USER: 'u', DB_PASSWORD: 'p@ss:w/rd?#%' }).layer as { store: { databaseUrl: string } };
    expect(decodeURIComponent(new URL(url.store.databaseUrl).password)).toBe('p@ss:w/rd?#%');
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ DB_NAME: 'x' }, /DB_NAME: is set but DB_HOST is not/],
    [{ DB_HOST: 'db', DB_PORT: '54x' }, /DB_PORT: expected a port number, got "54x"/],
    [{ REDIS_PORT: 'six' }, /REDIS_PORT: expected a port number/],
    [{ HTTP_TIMEOUT: '0' }, /HTTP_TIMEOUT: expected a number of seconds, got "0"/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => layer(env)).toThrow(ConfigError);
    expect(() => layer(env)).toThrow(message);
  });
});
