import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from './load.js';
import { maskConfig } from './mask.js';
import { toYaml, yamlScalar } from './to-yaml.js';

describe('yamlScalar', () => {
  it.each([
    ['./data', './data'],
    ['127.0.0.1', '127.0.0.1'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['1e3', '"1e3"'],
    ['0x1F', '"0x1F"'],
    ['1:20', '"1:20"'],
    ['2024-01-02', '"2024-01-02"'],
    ['@at', '"@at"'],
    ['*alias', '"*alias"'],
    ['combined', 'combined'],
    ['/var/log/nginx/*.log', '/var/log/nginx/*.log'],
    ['postgres://u:***@db/r', 'postgres://u:***@db/r'],
    ['', '""'],
    ['true', '"true"'],
    ['No', '"No"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['8000', '"8000"'],
    ['-1', '"-1"'],
    ['.5', '".5"'],
    ['+1.5e-3', '"+1.5e-3"'],
    ['.inf', '".inf"'],
    ['a: b', '"a: b"'],
    ['a #b', '"a #b"'],
    ['key:', '"key:"'],
    ['- x', '"- x"'],
    ['trailing ', '"trailing "'],
    ['#comment', '"#comment"'],
    ['{x}', '"{x}"'],
    ["it's", '"it\'s"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['$remote_addr - [$time_local]', '"$remote_addr - [$time_local]"'],
  ])('%j -> %s', (input, out) => {
    expect(yamlScalar(input)).toBe(out);
  });

  it.each([
    [8000, '8000'],
    [0.5, '0.5'],
    [true, 'true'],
    [false, 'false'],
    [null, 'null'],
  ])('%j -> %s', (input, out) => {
    expect(yamlScalar(input)).toBe(out);
  });
});

describe('toYaml', () => {
  const tricky = {
    empty: {},
    list: [],
    strings: ['true', 'off', '1e3', '0x1F', '2024-01-02', 'a: b', '', ' lead', 'é', 'tab\there', '"q"', '[x]', '&a', '*b', '!t', '%p', '@at', '`bt', '|', '>'],
    nested: { deep: { deeper: [1, 2, { a: 1, b: ['x', { c: null }] }, [], {}, [3, [4]]] } },
    rules: [{ id: 'sqli-select-statement', pathPrefix: '/search' }, { id: 'x' }],
    'odd key': 1,
    'true': 'key that reads as a boolean',
  };

  it('reads back as the same data', () => {
    expect(parse(toYaml(tricky))).toEqual(tricky);
  });

  it('prints the default configuration as the yaml package did', () => {
    const masked = maskConfig(loadConfig({ env: {}, dotEnv: false, cwd: '/nonexistent' }).config);
    expect(toYaml(masked)).toBe(stringify(masked));
  });

  it('writes a list of mappings with the first key on the dash line', () => {
    expect(toYaml({ rules: [{ id: 'a', pathPrefix: '/s' }] })).toBe('rules:\n  - id: a\n    pathPrefix: /s\n');
  });
});
