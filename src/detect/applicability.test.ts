import { describe, expect, it } from 'vitest';
import { notApplicable, type FormatInputs } from './applicability.js';
import type { FieldSpec } from './rules/index.js';

const combined: FormatInputs = { any: false, name: 'combined', inputs: new Set(['user_agent', 'referer']) };
const common: FormatInputs = { any: false, name: 'common', inputs: new Set() };
const tls: FormatInputs = { any: false, name: 'custom', inputs: new Set(['user_agent', 'referer', 'ja4']) };
const json: FormatInputs = { any: true, name: 'json' };

const FIELDS: Record<string, readonly FieldSpec[]> = {
  'sqli-union': ['query', 'path'],
  'scanner-ua': ['user_agent'],
  'ua-or-referer': ['user_agent', 'referer'],
  'api-key-header': ['header:x-api-key'],
  'host-only': ['host'],
};
const IDS = [...Object.keys(FIELDS), 'tokens/sqli', 'behaviour/ja4-rotation', 'behaviour/ua-rotation', 'behaviour/http-probing'];
const na = (f: FormatInputs) => notApplicable(IDS, f, (id) => FIELDS[id]).map((n) => n.id);

describe('notApplicable', () => {
  it.each([
    ['combined', combined, ['api-key-header', 'host-only', 'behaviour/ja4-rotation']],
    ['common (no user agent, no referer)', common, ['scanner-ua', 'ua-or-referer', 'api-key-header', 'host-only', 'behaviour/ja4-rotation', 'behaviour/ua-rotation']],
    ['a log_format with JA4', tls, ['api-key-header', 'host-only']],
    ['json (lines name their own fields)', json, []],
  ])('%s', (_name, format, expected) => {
    expect(na(format)).toEqual(expected);
  });

  it('says why, naming the format and the missing input', () => {
    const out = notApplicable(['behaviour/ja4-rotation', 'scanner-ua', 'api-key-header'], common, (id) => FIELDS[id]);
    expect(out).toEqual([
      { id: 'behaviour/ja4-rotation', reason: 'log format common carries no JA4 TLS fingerprint' },
      { id: 'scanner-ua', reason: 'log format common carries none of what it reads (a user agent)' },
      { id: 'api-key-header', reason: 'log format common carries none of what it reads (the x-api-key header)' },
    ]);
  });

  it('lists an id once, and leaves unknown ids (tokenisers, other scenarios) applicable', () => {
    expect(notApplicable(['behaviour/ja4-rotation', 'behaviour/ja4-rotation', 'tokens/xss', 'behaviour/headless'], combined, () => undefined)).toHaveLength(1);
  });
});
