import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES, getFormat } from './registry.js';

describe('getFormat', () => {
  it.each(['combined', 'main', 'common', 'apache_combined', 'json'])('knows %s', (name) => {
    expect(getFormat(name).name).toBe(name);
  });

  it('defaults to combined', () => {
    expect(getFormat().name).toBe('combined');
  });

  it('names the valid formats for an unknown one', () => {
    expect(() => getFormat('nginx')).toThrow(
      `unknown log format "nginx": expected one of ${FORMAT_NAMES.join(', ')}`,
    );
    expect(() => getFormat('toString')).toThrow(/unknown log format/);
  });

  it('names an unknown time zone', () => {
    expect(() => getFormat('json', { timeZone: 'Nowhere/Land' })).toThrow(
      /unknown time zone "Nowhere\/Land"/,
    );
  });

  it('compiles a custom log_format under its given name', () => {
    const f = getFormat({ logFormat: '$remote_addr $status', name: 'edge' });
    expect(f.name).toBe('edge');
    expect(f.parse('1.2.3.4 700').ok).toBe(false);
    expect(f.parse('1.2.3.4 204')).toMatchObject({ ok: true, record: { status: 204 } });
  });
});
