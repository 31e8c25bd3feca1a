import { describe, expect, it } from 'vitest';
import { makeDetection } from '../store/testing/fixtures.js';
import { notificationOf } from './alert.js';
import { emailMessage } from './email-message.js';
import { slackEscape, slackMessage } from './slack.js';
import { notification, threat } from './testing/fixtures.js';

describe('notification of a threat', () => {
  it('has every field, the route’s rule, and the throttle summary', () => {
    const xss = makeDetection({ ruleId: 'xss-script-tag', category: 'xss', severity: 'medium', field: 'arg:q', fragment: '<script>' });
    const t = threat({ detections: [makeDetection(), xss, makeDetection({ ruleId: 'sim-rule', simulated: true })] });
    const n = notificationOf(t, '/var/log/nginx/access.log', xss, { count: 4, since: Date.UTC(2026, 0, 1) });
    expect(n).toMatchObject({
      id: 'ev-1',
      ip: '203.0.113.7',
      host: 'www.example.com',
      rule: 'xss-script-tag',
      rules: ['sqli-union-select', 'xss-script-tag'],
      field: 'arg:q',
      fragment: '<script>',
      severity: 'high',
      score: 0.9,
      source: '/var/log/nginx/access.log',
      suppressed: 4,
      suppressed_since: '2026-01-01T00:00:00.000Z',
    });
    expect(notificationOf(t, 's').rule).toBe('sqli-union-select');
  });
});

describe('Slack message', () => {
  it('escapes &, <, > so a value cannot mention @channel or make a link', () => {
    expect(slackEscape('<!channel> & <https://evil|click>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    const m = slackMessage(notification({ path: '/<!channel>', user_agent: '<@U123>', host: 'a<b>`c`', fragment: '```\n*bold*' }));
    const all = JSON.stringify(m);
    expect(all).not.toMatch(/<!channel>|<@U123>/);
    expect(all).toContain('&lt;!channel&gt;');
    // Backticks cannot close the code span a value is in; line breaks inside it are flattened.
    expect(JSON.stringify(m.blocks[1])).not.toContain('```');
    expect(m.text).toBe('HIGH sqli from 203.0.113.7 on a&lt;b&gt;`c`: sqli-union-select');
    const plain = slackMessage(notification());
    expect(plain.text).toBe('HIGH sqli from 203.0.113.7 on www.example.com: sqli-union-select');
    expect(plain.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: plain.text } });
  });

  it('bounds every value (Slack refuses section fields over 2,000 characters and headers over 150)', () => {
    const long = 'x'.repeat(9000);
    const m = slackMessage(notification({ path: long, fragment: long, host: long, rule: long }));
    const fields = (m.blocks[1] as { fields: { text: string }[] }).fields;
    for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(2000);
    expect((m.blocks[0] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(150);
  });

  it('says how many were throttled', () => {
    const m = slackMessage(notification({ suppressed: 7, suppressed_since: '2026-12-07T22:55:00.000Z' }));
    expect(JSON.stringify(m.blocks[2])).toContain('7 more from this IP and rule since 2026-12-07T22:55:00.000Z');
  });
});

describe('e-mail message', () => {
  it('keeps the subject one line, whatever the values hold', () => {
    const { subject, text } = emailMessage(notification({ host: 'evil\r\nBcc: victim@example.org', rule: 'r\n\nbody' }), '[rampart]');
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe('[rampart] HIGH sqli from 203.0.113.7 on evil Bcc: victim@example.org: r body');
    expect(text).toContain('Host:       evil Bcc: victim@example.org\n');
    expect(text.split('\n').filter((l) => l.startsWith('Bcc'))).toEqual([]);
  });

  it('lists the request, the rule and the throttle summary', () => {
    const { text } = emailMessage(notification({ suppressed: 2, suppressed_since: '2026-12-07T22:55:00.000Z' }), '');
    expect(text).toContain("Request:    GET /products.php?id=1'%20UNION%20SELECT%20password%20FROM%20users-- -> 200\n");
    expect(text).toContain('Rule:       sqli-union-select\n');
    expect(text).toContain('Throttled:  2 more from this IP and rule since 2026-12-07T22:55:00.000Z were not sent\n');
  });
});
