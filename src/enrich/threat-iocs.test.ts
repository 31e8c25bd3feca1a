import { describe, expect, it } from 'vitest';
import type { Category } from '../core/index.js';
import { makeEvent, makeThreat } from '../store/testing/fixtures.js';
import { iocCandidates, isKnownGoodThreat } from './threat-iocs.js';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('isKnownGoodThreat', () => {
  it.each<[string, Category, string, boolean]>([
    ['a crawling Googlebot is that bot doing its job', 'crawler', GOOGLEBOT, true],
    ['a "Googlebot" sending SQL injection is still enriched', 'sqli', GOOGLEBOT, false],
    ['a crawler that names no known bot is enriched', 'crawler', 'python-requests/2.32', false],
    ['a browser scanning is enriched', 'scanner', BROWSER, false],
  ])('%s', (_, category, userAgent, expected) => {
    expect(isKnownGoodThreat(makeThreat(makeEvent('e', { userAgent }), { category }))).toBe(expected);
  });
});

describe('iocCandidates', () => {
  it('keeps every threat but the known good ones, in order', () => {
    const bad = makeThreat(makeEvent('a', { userAgent: GOOGLEBOT }), { category: 'sqli' });
    const good = makeThreat(makeEvent('b', { userAgent: GOOGLEBOT }), { category: 'crawler' });
    const other = makeThreat(makeEvent('c', { userAgent: BROWSER }), { category: 'xss' });
    expect(iocCandidates([bad, good, other])).toEqual([bad, other]);
  });
});
