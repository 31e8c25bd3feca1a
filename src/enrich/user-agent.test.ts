import { describe, expect, it } from 'vitest';
import { isHostingNetwork } from './hosting.js';
import { classifyUserAgent } from './user-agent.js';

describe('classifyUserAgent', () => {
  const cases: [string | null, string, string, string][] = [
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36', 'browser', 'Chrome', '120'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36 Edg/119.0.2151.58', 'browser', 'Edge', '119'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 Safari/537.36 OPR/104.0', 'browser', 'Opera', '104'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0', 'browser', 'Firefox', '121'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1', 'browser', 'Safari', '17'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1', 'browser', 'Chrome', '120'],
    ['Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0 Mobile Safari/537.36', 'browser', 'Samsung Internet', '23'],
    ['Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko', 'browser', 'Internet Explorer', '11'],
    ['Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)', 'browser', 'Internet Explorer', '8'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot', 'Googlebot', '2'],
    ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0 Safari/537.36', 'bot', 'bingbot', '2'],
    ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 'bot', 'AhrefsBot', '7'],
    ['Mozilla/5.0 (compatible; SemrushBot/7~bl)', 'bot', 'SemrushBot', '7'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36', 'tool', 'HeadlessChrome', '120'],
    ['curl/8.4.0', 'tool', 'curl', '8'],
    ['python-requests/2.31.0', 'tool', 'python-requests', '2'],
    ['Go-http-client/1.1', 'tool', 'Go-http-client', '1'],
    ['sqlmap/1.7.2#stable (https://sqlmap.org)', 'tool', 'sqlmap', '1'],
    ['Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)', 'tool', 'Nikto', '2'],
    ['MyApp/3.2 (iOS)', 'other', 'MyApp', '3'],
    ['() { :; }; /bin/bash -c "id"', 'other', '(other)', ''],
    ['Mozilla/5.0', 'other', 'Mozilla', '5'],
    ['-', 'none', '(none)', ''],
    ['', 'none', '(none)', ''],
    [null, 'none', '(none)', ''],
  ];
  it.each(cases)('%s -> %s %s %s', (ua, kind, family, version) => {
    expect(classifyUserAgent(ua)).toEqual({ kind, family, version });
  });

  it('bounds what it reads and what it returns from hostile strings', () => {
    const long = 'A'.repeat(100_000) + 'bot';
    const r = classifyUserAgent(long);
    expect(r.family.length).toBeLessThanOrEqual(32);
    expect(classifyUserAgent('x'.repeat(40) + '/123456789')).toEqual({ kind: 'other', family: 'x'.repeat(32), version: '123456' });
    expect(classifyUserAgent('Chrome/1234567890').version.length).toBeLessThanOrEqual(6);
  });
});

describe('isHostingNetwork', () => {
  const cases: [string | null, boolean][] = [
    ['AMAZON-02', true],
    ['DIGITALOCEAN-ASN', true],
    ['Hetzner Online GmbH', true],
    ['OVH SAS', true],
    ['Some Hosting Ltd', true],
    ['Example Data Center LLC', true],
    ['Deutsche Telekom AG', false],
    ['Comcast Cable Communications, LLC', false],
    ['Orange', false],
    ['', false],
    [null, false],
  ];
  it.each(cases)('%s -> %s', (org, expected) => expect(isHostingNetwork(org)).toBe(expected));
});
