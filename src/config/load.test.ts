import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.js';
import { loadConfig, maskConfig } from './index.js';

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-config-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('gives embedded defaults with no file, env or flags', () => {
    const { config, file } = loadConfig({ env: {}, cwd: tmpdir(), file: undefined, flags: {} });
    expect(file).toBeNull();
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8000, trustProxy: false, allowedHosts: [], corsOrigins: [] });
    expect(config.store.databaseUrl).toBeUndefined();
    expect(config.store.retentionDays).toBe(7);
    expect(config.store.windowMinHits).toBe(3);
    expect(config.ingest.format).toBe('combined');
    expect(config.demo.enabled).toBe(true);
  });

  it('layers flags over env over file over defaults', () => {
    const file = tempFile('r.yaml', 'server:\n  port: 9000\n  host: 0.0.0.0\nstore:\n  retentionDays: 3\n');
    const { config } = loadConfig({
      file,
      env: { RAMPART_PORT: '9100', RAMPART_RETENTION_DAYS: '5' },
      flags: { server: { port: 9200 } },
    });
    expect(config.server.port).toBe(9200); // flag
    expect(config.store.retentionDays).toBe(5); // env over file
    expect(config.server.host).toBe('0.0.0.0'); // file over default
  });

  it.each([
    ['unknown top-level key', 'serverr:\n  port: 1\n', /serverr: unknown key/],
    ['unknown nested key', 'server:\n  prot: 1\n', /server\.prot: unknown key/],
    ['wrong type', 'server:\n  port: "abc"\n', /config server\.port:/],
    ['out of range', 'server:\n  port: 70000\n', /config server\.port:/],
    ['bad enum', 'ingest:\n  startAt: middle\n', /config ingest\.startAt:/],
    ['a metrics address without a port', 'server:\n  metricsListen: 127.0.0.1\n', /config server\.metricsListen: expected host:port/],
    ['not a mapping', '- a\n- b\n', /must hold a mapping/],
    ['invalid yaml', 'server: [\n', /not valid YAML/],
  ])('rejects %s, naming the key', (_name, yaml, message) => {
    const file = tempFile('bad.yaml', yaml);
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file, env: {} })).toThrow(message);
  });

  it.each([
    ['RAMPART_PORT', 'eighty', /RAMPART_PORT: expected a number/],
    ['RAMPART_DEMO', 'maybe', /RAMPART_DEMO: expected true or false/],
  ])('rejects env %s=%s', (name, value, message) => {
    expect(() => loadConfig({ env: { [name]: value } })).toThrow(message);
  });

  it('reads the metrics address from RAMPART_METRICS_LISTEN', () => {
    expect(loadConfig({ env: { RAMPART_METRICS_LISTEN: '[::1]:9464' } }).config.server.metricsListen).toBe('[::1]:9464');
  });

  it('reads lists and booleans from env', () => {
    const { config } = loadConfig({
      env: { RAMPART_LOGS: '/var/log/a.log, /var/log/*.log', RAMPART_DEMO: 'off' },
    });
    expect(config.ingest.logs).toEqual(['/var/log/a.log', '/var/log/*.log']);
    expect(config.demo.enabled).toBe(false);
  });

  it('fails when an explicit config file is missing', () => {
    expect(() => loadConfig({ file: '/nonexistent/rampart.yaml', env: {} })).toThrow(/cannot read/);
  });
});

describe('maskConfig', () => {
  it('masks the password of URLs and keeps the rest readable', () => {
    const { config } = loadConfig({
      env: { DATABASE_URL: 'postgres://rampart:s3cret@db:5432/rampart', REDIS_URL: 'redis://:pw@cache:6379' },
    });
    const printed = JSON.stringify(maskConfig(config));
    expect(printed).not.toContain('s3cret');
    expect(printed).not.toContain(':pw@');
    expect(printed).toContain('postgres://rampart:***@db:5432/rampart');
  });
});

describe('enrich section', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'rampart-config-enrich-'));
  const env = {
    ABUSEIPDB_API_KEY: 'abuse-secret-1',
    VIRUSTOTAL_API_KEY: 'vt-secret-2',
    OTX_API_KEY: 'otx-secret-3',
    OTX_BASE_URL: 'http://127.0.0.1:9/api/v1',
    GEOIP_CITY_DB: '/geo/GeoLite2-City.mmdb',
    GEOIP_ASN_DB: '/geo/GeoLite2-ASN.mmdb',
    GEOIP_COUNTRY_DB: '/geo/GeoLite2-Country.mmdb',
    COLLECTOR_ENABLED: 'true',
    COLLECTOR_BATCH_SIZE: '7',
    COLLECTOR_MIN_SEVERITY: 'critical',
    REPUTATION_MIN_SCORE: '40',
  };

  it('is mounted with defaults and bound to env', () => {
    const { config } = loadConfig({ env: {}, file: undefined, cwd });
    expect(config.enrich.geoip.bundled).toBe(true);
    expect(config.enrich.providers.abuseipdb.baseUrl).toBe('https://api.abuseipdb.com/api/v2');
    const loaded = loadConfig({ env }).config.enrich;
    expect(loaded.providers.otx.apiKey).toBe('otx-secret-3');
    expect(loaded.providers.otx.baseUrl).toBe('http://127.0.0.1:9/api/v1');
    expect(loaded.geoip).toMatchObject({ cityFiles: ['/geo/GeoLite2-City.mmdb'], asnFiles: ['/geo/GeoLite2-ASN.mmdb'], countryFiles: ['/geo/GeoLite2-Country.mmdb'] });
    expect(loaded.collector).toMatchObject({ enabled: true, batchSize: 7, minSeverity: 'critical' });
    expect(loaded.reputation.minScore).toBe(40);
  });

  it('masks every provider key when printed', () => {
    const printed = JSON.stringify(maskConfig(loadConfig({ env }).config));
    for (const secret of ['abuse-secret-1', 'vt-secret-2', 'otx-secret-3']) expect(printed).not.toContain(secret);
    expect(printed).toContain('"apiKey":"***"');
  });

  it('rejects unknown keys and bad values, naming them', () => {
    const file = tempFile('rampart.yaml', 'enrich:\n  providers:\n    abuseipdb:\n      apikey: x\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(/enrich\.providers\.abuseipdb\.apikey: unknown key/);
    expect(() => loadConfig({ env: { COLLECTOR_MIN_SEVERITY: 'urgent' } })).toThrow(/enrich\.collector\.minSeverity/);
  });
});
