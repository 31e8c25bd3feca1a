import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '../core/index.js';
import { decodeEvents, encodeEvents, transferablesOf, type EncodedEvents } from './event-codec.js';

const base: HttpEvent = {
  id: '9f2c4e1a7b3d5f60',
  time: 1_760_104_536_000,
  ip: '203.0.113.7',
  peerIp: null,
  method: 'GET',
  host: null,
  path: '/index.html',
  query: '',
  protocol: 'HTTP/1.1',
  status: 200,
  bytes: 512,
  referer: null,
  userAgent: null,
  requestTime: null,
  ja4: null,
  ja4h: null,
  headers: null,
  origin: { kind: 'file', source: '/var/log/nginx/access.log', offset: 0, line: 1 },
};

/** An own `__proto__` key, as JSON.parse makes it (a plain assignment would set the prototype instead). */
const protoHeaders = JSON.parse('{"__proto__":"x","x-forwarded-for":"198.51.100.1"}') as Record<string, string>;

const cases: [string, HttpEvent][] = [
  ['the nulls of a plain combined line', base],
  [
    'every optional field present',
    {
      ...base,
      peerIp: '10.0.0.2',
      host: 'shop.example',
      query: 'id=1&q=a+b',
      referer: 'https://shop.example/',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      requestTime: 0.123,
      ja4: 't13d1516h2_8daaf6152771_02713d6af862',
      ja4h: 'ge11nn05enus_9ed1ff1f7b03_cd8dafe26982_000000000000',
      headers: { 'x-request-id': 'abc', accept: '*/*' },
    },
  ],
  ['empty strings, not nulls', { ...base, method: '', path: '', protocol: '', referer: '', userAgent: '', host: '' }],
  ['requestTime 0 is not null', { ...base, requestTime: 0 }],
  ['an empty header record is not null', { ...base, headers: {} }],
  ['an own __proto__ header stays a header', { ...base, headers: protoHeaders }],
  ['characters beyond Latin-1 and astral ones', { ...base, path: '/caf\u00e9/\u65e5\u672c/\u{1f600}', userAgent: 'bot \u{1f916}\u0000\ud800' }],
  ['an API origin', { ...base, origin: { kind: 'api', source: 'ingest-api', receivedAt: 1_760_104_537_001 } }],
  ['a CrowdSec origin', { ...base, origin: { kind: 'crowdsec', source: 'crowdsec', receivedAt: 42 } }],
  ['large and odd numbers', { ...base, time: 8.64e15, status: 0, bytes: 2 ** 53 - 1, origin: { kind: 'file', source: 's', offset: 2 ** 40, line: 123_456_789 } }],
];

/** Through a real message port, with the typed arrays transferred, as the parse thread sends them. */
async function crossed(encoded: EncodedEvents): Promise<EncodedEvents> {
  const { port1, port2 } = new MessageChannel();
  try {
    const received = new Promise<EncodedEvents>((resolve) => port2.once('message', resolve));
    port1.postMessage(encoded, transferablesOf(encoded));
    return await received;
  } finally {
    port1.close();
  }
}

describe('event codec', () => {
  it.each(cases)('round-trips %s', async (_name, event) => {
    const [back] = decodeEvents(await crossed(encodeEvents([event])));
    expect(back).toStrictEqual(event);
    expect(Object.getPrototypeOf(back!.headers ?? {})).toBe(Object.prototype);
  });

  it('keeps a batch of mixed events in order, field for field, with one source table', async () => {
    const events = Array.from({ length: 3000 }, (_, i) => ({ ...cases[i % cases.length]![1], id: `e${i}` }));
    const encoded = encodeEvents(events);
    expect(encoded.sources).toEqual(['/var/log/nginx/access.log', 'ingest-api', 'crowdsec', 's']);
    expect(decodeEvents(await crossed(encoded))).toStrictEqual(events);
  });

  it('encodes an empty batch', () => {
    expect(decodeEvents(encodeEvents([]))).toEqual([]);
  });

  it('refuses an encoding whose texts and lengths do not agree', () => {
    const encoded = encodeEvents([base, { ...base, id: 'second' }]);
    expect(() => decodeEvents({ ...encoded, texts: [encoded.texts[0]!, encoded.texts[1]! + 'tail'] })).toThrow(/event 1 left 4 characters/);
    expect(() => decodeEvents({ ...encoded, count: 1, texts: [encoded.texts[0]!] })).toThrow(/1 events left \d+ lengths/);
    expect(() => decodeEvents({ ...encoded, count: 3 })).toThrow(/3 events with 2 texts/);
  });

  it("keeps each event's strings apart: an event kept pins its own text, not the batch's", () => {
    const encoded = encodeEvents([base, { ...base, id: 'second', path: '/other' }]);
    expect(encoded.texts).toHaveLength(2);
    expect(encoded.texts[1]).toBe('second' + '203.0.113.7' + 'GET' + '/other' + 'HTTP/1.1');
  });

  it('transfers the typed arrays instead of copying them', async () => {
    const encoded = encodeEvents([base]);
    await crossed(encoded);
    expect(encoded.lengths.byteLength).toBe(0);
    expect(encoded.numbers.byteLength).toBe(0);
  });
});
