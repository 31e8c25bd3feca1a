import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { isSecretName, maskConfig, maskUrl } from './mask.js';

describe('maskUrl', () => {
  it.each([
    ['postgres://rampart:s3cret@db:5432/rampart', 'postgres://rampart:***@db:5432/rampart'],
    // Issue 9: secrets in the query string were printed in clear.
    ['postgres://u@h/db?password=X&sslpassword=Y', 'postgres://u@h/db?password=***&sslpassword=***'],
    ['postgres://u@h/db?sslmode=require&PassWord=X', 'postgres://u@h/db?sslmode=require&PassWord=***'],
    ['postgres://u@h/db?ssl%70assword=X&application_name=r', 'postgres://u@h/db?ssl%70assword=***&application_name=r'],
    ['redis://:pw@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['rediss://default:pw@cache:6380?tls=true', 'rediss://default:***@cache:6380?tls=true'],
    ['https://api.example/v1?api_key=K&token=T&access_token=A&q=1', 'https://api.example/v1?api_key=***&token=***&access_token=***&q=1'],
    ['http://127.0.0.1:9/api/v1', 'http://127.0.0.1:9/api/v1'],
    ['not a url with a p@ss', '***'],
  ])('%s → %s', (url, masked) => expect(maskUrl(url)).toBe(masked));
});

describe('isSecretName', () => {
  it.each([
    ['apiKey', true],
    ['password', true],
    ['sslpassword', true],
    ['access_token', true],
    ['X-Auth', true],
    ['pwd', true],
    ['clientSecret', true],
    ['reuseCredit', false],
    ['minSiteAssetSightings', false],
    ['sslmode', false],
    ['maxKeys', false],
  ])('%s → %s', (name, secret) => expect(isSecretName(name)).toBe(secret));
});

describe('maskConfig', () => {
  it('masks secrets in every URL and secret-looking key of the config', () => {
    const { config } = loadConfig({
      env: {
        DATABASE_URL: 'postgres://u@h/db?password=X1&sslpassword=Y2',
        REDIS_URL: 'redis://:R3@cache:6379',
        OTX_BASE_URL: 'https://otx.example/api/v1?key=K4',
        ABUSEIPDB_API_KEY: 'A5',
      },
      cwd: '/nonexistent',
    });
    const printed = JSON.stringify(maskConfig(config));
    for (const secret of ['X1', 'Y2', 'R3', 'K4', 'A5']) expect(printed).not.toContain(secret);
    expect(printed).toContain('postgres://u@h/db?password=***&sslpassword=***');
    expect(printed).toContain('https://otx.example/api/v1?key=***');
  });
});
