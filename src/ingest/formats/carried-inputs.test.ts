import { describe, expect, it } from 'vitest';
import { COMBINED, COMMON } from './builtin.js';
import { carriedInputs } from './carried-inputs.js';

const inputs = (spec: Parameters<typeof carriedInputs>[0]) => {
  const c = carriedInputs(spec);
  return c.any ? 'any' : [...c.inputs].sort();
};

describe('carriedInputs', () => {
  it.each([
    ['combined', ['referer', 'user_agent']],
    ['main', ['referer', 'user_agent']],
    ['apache_combined', ['referer', 'user_agent']],
    ['common', []],
    // JSON lines name their own fields: nothing can be ruled out.
    ['json', 'any'],
    // An unknown name is config validation's business; here it rules nothing out.
    ['nonesuch', 'any'],
  ] as const)('named format %s', (name, expected) => {
    expect(inputs(name)).toEqual(expected);
  });

  it.each([
    [COMBINED, ['referer', 'user_agent']],
    [COMMON, []],
    [`${COMBINED} "$http_ssl_ja4"`, ['ja4', 'referer', 'user_agent']],
    [`${COMBINED} $ja4h_fingerprint`, ['ja4h', 'referer', 'user_agent']],
    [`$remote_addr [$time_local] "$request" $status $body_bytes_sent $host`, ['host']],
    [`$remote_addr [$time_local] "$request" $status $body_bytes_sent "$http_x_api_key" $server_name`, ['header:x-api-key', 'host']],
    // A whole log_format directive, as pasted from nginx.conf.
    [`log_format tls '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_user_agent" $ja4';`, ['ja4', 'user_agent']],
  ])('log_format %s', (logFormat, expected) => {
    expect(inputs({ logFormat })).toEqual(expected);
  });

  it('names the format it describes', () => {
    expect(carriedInputs('common').name).toBe('common');
    expect(carriedInputs({ logFormat: COMMON }).name).toBe('custom');
    expect(carriedInputs({ logFormat: COMMON, name: 'tls' }).name).toBe('tls');
  });
});
