import { describe, expect, it } from 'vitest';
import { BehaviourDetector } from './detector.js';
import { T0, ev } from './testing/events.js';
import type { HttpEvent } from '../../core/index.js';

/** One reusable event, mutated in place: a million events without a million objects in the test itself. */
function mutableEvent(): HttpEvent {
  return ev({ time: T0 });
}

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

describe('bounded state', () => {
  // Slow on a loaded 2-core box (tens of seconds); the bench measures the speed, this asserts the bounds.
  it(
    'a flood of 1,000,000 unique IPs keeps tracked IPs, the open-window FIFO and queues within their caps',
    { timeout: 240_000 },
    () => {
      const d = new BehaviourDetector({ maxTrackedIps: 100_000 });
      const st = d.createState();
      const e = mutableEvent();
      const batch = [e];
      for (let i = 0; i < 1_000_000; i++) {
        e.ip = ipv4(0x0b000000 + i);
        e.time = T0 + Math.floor(i / 10); // 10,000 events per second of event time
        d.detect(batch, st);
      }
      expect(st.trackedIps).toBe(100_000);
      expect(st.counters.evictions).toBe(900_000);
      expect(st.openWindowQueueLength).toBeLessThanOrEqual(200_000);
      expect(st.closedWindowCount).toBeLessThanOrEqual(10_000);
      expect(st.table.slabBytes).toBeLessThanOrEqual(100_000 * 600);
      // Every IP sent one request: all parked, no full record taken (compact first-hit tier, ip-table.ts).
      expect(st.fullIps).toBe(0);
      expect(st.usedBytes / 100_000).toBeLessThan(100);
    },
  );

  it(
    'tracking 1,000,000 distinct IPs costs under 100 bytes each while each has sent one request (was ~230)',
    { timeout: 240_000 },
    () => {
      const bytesPerIp = (compactFirstHit: boolean) => {
        const d = new BehaviourDetector({ maxTrackedIps: 1_000_000, compactFirstHit });
        const st = d.createState();
        const e = mutableEvent();
        const batch = [e];
        for (let i = 0; i < 1_000_000; i++) {
          e.ip = ipv4(0x0b000000 + i);
          e.time = T0 + Math.floor(i / 10);
          d.detect(batch, st);
        }
        expect(st.trackedIps).toBe(1_000_000);
        expect(st.counters.evictions).toBe(0);
        expect(st.fullIps).toBe(compactFirstHit ? 0 : 1_000_000);
        return st.usedBytes / 1_000_000;
      };
      expect(bytesPerIp(true)).toBeLessThan(100);
      expect(bytesPerIp(false)).toBeGreaterThan(188 + 30);
    },
  );

  it('an IP takes a full record on its second request, and keeps it', () => {
    const d = new BehaviourDetector();
    const st = d.createState();
    d.detect([ev({ ip: '192.0.2.1', time: T0 }), ev({ ip: '2001:db8::1', time: T0 })], st);
    expect([st.trackedIps, st.fullIps]).toEqual([2, 0]);
    d.detect([ev({ ip: '192.0.2.1', time: T0 + 1_000, path: '/b' })], st);
    expect([st.trackedIps, st.fullIps]).toEqual([2, 1]);
    d.detect([ev({ ip: '2001:db8::1', time: T0 + 2 * 60_000 }), ev({ ip: '192.0.2.1', time: T0 + 3_000 })], st);
    expect([st.trackedIps, st.fullIps]).toEqual([2, 2]);
  });

  it('a first request with more logged headers than a parked record holds takes a full record', () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 2 ** 20; i++) headers[`h${i}`] = '';
    const d = new BehaviourDetector({ windowMinHits: 1 });
    const st = d.createState();
    d.detect([ev({ ip: '192.0.2.1', time: T0, headers }), ev({ ip: '192.0.2.2', time: T0, headers: { a: 'b' } })], st);
    expect(st.fullIps).toBe(1);
    st.flush();
    expect(st.drainClosedWindows().map((w) => [w.ip, w.meanHeaderCount])).toEqual([
      ['192.0.2.1', 2 ** 20],
      ['192.0.2.2', 1],
    ]);
  });

  it('an IP that keeps coming back survives the flood (approximate LRU) and its brute force is still seen', () => {
    const d = new BehaviourDetector({ maxTrackedIps: 1_000 });
    const st = d.createState();
    const e = mutableEvent();
    const found: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const attacker = i % 100 === 0;
      e.ip = attacker ? '198.51.100.66' : ipv4(0x0c000000 + i);
      e.method = attacker ? 'POST' : 'GET';
      e.path = attacker ? '/wp-login.php' : '/';
      e.time = T0 + i * 5;
      for (const x of d.detect([e], st)[0]!) found.push(`${e.ip} ${x.ruleId}`);
    }
    expect(st.trackedIps).toBe(1_000);
    expect(found[0]).toBe('198.51.100.66 behaviour/bruteforce');
  });

  it('learned site profiles stay within maxHosts × maxFamiliesPerHost', () => {
    const d = new BehaviourDetector({ assets: { maxHosts: 20, maxFamiliesPerHost: 50 } });
    const st = d.createState();
    const events: HttpEvent[] = [];
    for (let h = 0; h < 200; h++) {
      for (let v = 0; v < 30; v++) {
        const host = `site${h}.example`;
        const time = T0 + (h * 30 + v) * 10;
        events.push(ev({ ip: `10.1.${h}.${v}`, host, time, path: `/page${v}` }));
        events.push(
          ev({
            ip: `10.1.${h}.${v}`,
            host,
            time: time + 1,
            path: `/fam${v}/thing`,
            referer: `https://${host}/page${v}`,
          }),
        );
      }
    }
    d.detect(events, st);
    expect(st.sites.hostCount).toBe(20);
    expect(st.sites.familyCount).toBeLessThanOrEqual(20 * 50);
    expect(st.sites.familyCount).toBeGreaterThan(0);
  });
});
