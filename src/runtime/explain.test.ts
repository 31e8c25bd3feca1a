import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { explainLine } from './explain.js';

const { config } = loadConfig({ env: {}, dotEnv: false });

describe('explainLine', () => {
  it.each([
    ['a line not in the format', 'hello world', { failed: 'parse' }],
    [
      'an address that is neither IP nor host name',
      '!!! - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8"',
      { failed: 'normalise', reason: expect.stringContaining('neither an IP address nor a host name') as unknown },
    ],
  ])('%s: says which stage failed', async (_, line, expected) => {
    expect(await explainLine(config, line)).toMatchObject({ format: 'combined', ...expected });
  });

  it('shows the event, the rule that fired and the verdict of an injection', async () => {
    const x = await explainLine(config, `198.51.100.9 - - [10/Oct/2026:13:55:37 +0000] "GET /item?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"`);
    if (x.failed !== null) throw new Error(`expected a parsed line, got ${x.failed}: ${x.reason}`);
    expect(x.event.ip).toBe('198.51.100.9');
    expect(x.trustedConfigured).toBe(false);
    expect(x.detections.some((d) => d.category === 'sqli')).toBe(true);
    expect(x.verdict.category).toBe('sqli');
    expect(x.steps.some((s) => s.fired.length > 0)).toBe(true);
  });

  it('reports no detection for a plain page view, and no site knowledge unless asked', async () => {
    const x = await explainLine(config, '203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"');
    expect(x).toMatchObject({ failed: null, detections: [], site: null });
  });
});
