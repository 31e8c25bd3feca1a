import { describe, expect, it } from 'vitest';
import { fastSensorEvent, MAX_DESCRIPTION, MAX_EVENT_ID, MAX_TAG, MAX_TAGS, sensorEventSchema } from './ingest-schema.js';

const NOW = Date.UTC(2026, 11, 7, 20, 0, 0);
const clock = () => NOW;
const schema = sensorEventSchema(clock);

const base = {
  source_ip: '203.0.113.7',
  destination_ip: '10.0.0.10',
  threat_type: 'sqli',
  severity: 8,
  confidence: 0.8,
  description: 'union select',
  timestamp: '2026-12-07T19:00:00Z',
  host: 'Shop.Example',
  path: '/products/1?ref=sensor',
  method: 'get',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
  tags: ['bench', 'waf'],
  event_id: 'waf-1',
};

/** Valid events the fast path must take (it is there for them) and build exactly as the schema does. */
const accepted: [string, Record<string, unknown>][] = [
  ['every field', base],
  ['only the source', { source_ip: '198.51.100.1' }],
  ['IPv6 folded to RFC 5952', { source_ip: '2001:DB8:0:0:0:0:0:1' }],
  ['IPv4-mapped IPv6 as IPv4', { source_ip: '::ffff:10.0.0.1', destination_ip: ' 10.0.0.2 ' }],
  ['severity name in capitals', { source_ip: '10.0.0.1', severity: 'HIGH' }],
  ['severity 1 and 10', { source_ip: '10.0.0.1', severity: 1, threat_type: 'Port Scan!' }],
  ['epoch seconds', { source_ip: '10.0.0.1', timestamp: 1_796_670_000 }],
  ['epoch milliseconds', { source_ip: '10.0.0.1', timestamp: 1_796_670_000_123.7 }],
  ['ISO time with a space and an offset', { source_ip: '10.0.0.1', timestamp: '2026-12-07 19:00:00.5+01:00' }],
  ['confidence 0 and no verdict', { source_ip: '10.0.0.1', confidence: 0 }],
  ['description alone', { source_ip: '10.0.0.1', description: 'x'.repeat(MAX_DESCRIPTION) }],
  ['empty tags', { source_ip: '10.0.0.1', tags: [] }],
  ['most tags', { source_ip: '10.0.0.1', tags: Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`.padEnd(MAX_TAG, 'x')) }],
  ['longest event id', { source_ip: '10.0.0.1', event_id: 'e'.repeat(MAX_EVENT_ID) }],
];

/** Events the schema refuses: the fast path must refuse them too (the schema then words the error). */
const refused: [string, unknown][] = [
  ['not an object', 'x'],
  ['null', null],
  ['an array', [base]],
  ['no source', { path: '/' }],
  ['a bad source', { source_ip: '300.1.1.1' }],
  ['an empty source', { source_ip: '' }],
  ['a number as source', { source_ip: 1 }],
  ['an unknown field', { source_ip: '10.0.0.1', extra: 1 }],
  ['__proto__ as a field', JSON.parse('{"source_ip":"10.0.0.1","__proto__":{"x":1}}')],
  ['severity 0', { source_ip: '10.0.0.1', severity: 0 }],
  ['severity 2.5', { source_ip: '10.0.0.1', severity: 2.5 }],
  ['an unknown severity name', { source_ip: '10.0.0.1', severity: 'urgent' }],
  ['confidence above 1', { source_ip: '10.0.0.1', confidence: 1.5 }],
  ['confidence as text', { source_ip: '10.0.0.1', confidence: '0.5' }],
  ['threat type of symbols only', { source_ip: '10.0.0.1', threat_type: '!!!' }],
  ['threat type not ASCII', { source_ip: '10.0.0.1', threat_type: 'sqlé' }],
  ['threat type too long', { source_ip: '10.0.0.1', threat_type: 'x'.repeat(65) }],
  ['a time without a zone', { source_ip: '10.0.0.1', timestamp: '2026-12-07T19:00:00' }],
  ['a time in 1970', { source_ip: '10.0.0.1', timestamp: 5 }],
  ['a time two days ahead', { source_ip: '10.0.0.1', timestamp: NOW + 2 * 86_400_000 }],
  ['a host with a space', { source_ip: '10.0.0.1', host: 'a b' }],
  ['an empty path', { source_ip: '10.0.0.1', path: '' }],
  ['a NUL in the path', { source_ip: '10.0.0.1', path: '/a\u0000b' }],
  ['a NUL in the user agent', { source_ip: '10.0.0.1', user_agent: 'a\u0000' }],
  ['a description too long', { source_ip: '10.0.0.1', description: 'x'.repeat(MAX_DESCRIPTION + 1) }],
  ['a method with a space', { source_ip: '10.0.0.1', method: 'GE T' }],
  ['too many tags', { source_ip: '10.0.0.1', tags: Array.from({ length: MAX_TAGS + 1 }, () => 't') }],
  ['a tag too long', { source_ip: '10.0.0.1', tags: ['x'.repeat(MAX_TAG + 1)] }],
  ['a number as tag', { source_ip: '10.0.0.1', tags: [1] }],
  ['an event id with a space', { source_ip: '10.0.0.1', event_id: 'a b' }],
  ['an event id too long', { source_ip: '10.0.0.1', event_id: 'e'.repeat(MAX_EVENT_ID + 1) }],
];

describe('fastSensorEvent, the hand-written twin of sensorEventSchema', () => {
  it.each(accepted)('takes %s and builds what the schema builds', (_name, item) => {
    const bySchema = schema.safeParse(item);
    expect(bySchema.success).toBe(true);
    expect(fastSensorEvent(item, clock)).toEqual(bySchema.data);
  });

  it.each(refused)('refuses %s, as the schema does', (_name, item) => {
    expect(schema.safeParse(item).success).toBe(false);
    expect(fastSensorEvent(item, clock)).toBeNull();
  });

  it('leaves to the schema what it does not take, such as a field given as undefined (no JSON has one)', () => {
    const item = { source_ip: '10.0.0.1', path: undefined };
    expect(fastSensorEvent(item, clock)).toBeNull();
    expect(schema.safeParse(item).success).toBe(true);
  });

  it('never differs from the schema over every field of a valid event replaced by each value of the tables', () => {
    const values = [...new Set([...Object.values(base), ...refused.flatMap(([, v]) => (v && typeof v === 'object' ? Object.values(v) : [v]))])];
    let compared = 0;
    for (const field of [...Object.keys(base), 'extra']) {
      for (const v of values) {
        const item: Record<string, unknown> = { ...base, [field]: v };
        const fast = fastSensorEvent(item, clock);
        const bySchema = schema.safeParse(item);
        if (fast !== null) {
          expect(bySchema.success, `${field}=${JSON.stringify(v)}`).toBe(true);
          expect(fast, `${field}=${JSON.stringify(v)}`).toEqual(bySchema.data);
          compared++;
        }
      }
    }
    // The loop compared many accepted events, not only refusals.
    expect(compared).toBeGreaterThan(20);
  });
});
