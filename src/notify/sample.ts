/** The alert `rampart notify test` sends: plainly a test, with every field filled in. */
import type { Notification } from './types.js';

export function sampleNotification(now: number): Notification {
  const time = new Date(now).toISOString();
  return {
    id: `test-${now.toString(36)}`,
    time,
    ip: '203.0.113.7',
    host: 'www.example.com',
    method: 'GET',
    path: '/products.php',
    query: "id=1'%20UNION%20SELECT%20password%20FROM%20users--",
    status: 200,
    user_agent: 'sqlmap/1.8 (rampart notify test)',
    referer: null,
    severity: 'high',
    category: 'sqli',
    score: 0.93,
    rule: 'sqli-union-select',
    rules: ['sqli-union-select'],
    field: 'arg:id',
    fragment: "1' UNION SELECT password FROM users--",
    country: null,
    asn: null,
    as_org: null,
    source: 'rampart notify test',
    suppressed: 0,
    suppressed_since: null,
  };
}
