/**
 * Notifications (issue #15): what the notify sink costs the thread that commits batches. `write` runs on that
 * thread for every committed batch; sending happens behind each channel's queue. Measured: the time `write`
 * takes for 5,000-threat batches (every threat matching a route, 2,000 distinct IPs, so throttling lets some
 * through and suppresses the rest) with the webhook receiver (a local HTTP server) accepting, hung (never
 * answers) and refusing connections,. What it should show: the
 * receiver's state does not change the writer's cost.
 */
import { createServer, type Server } from 'node:http';
import { validateConfig, type Layer } from '../src/config/index.js';
import type { ThreatEvent } from '../src/core/index.js';
import { buildChannels, Notifier } from '../src/notify/index.js';
import { makeDetection, makeEvent } from '../src/store/testing/fixtures.js';

const BATCH = 5_000;
const BATCHES = 40;

function batches(): ThreatEvent[][] {
  const out: ThreatEvent[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const threats: ThreatEvent[] = [];
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i;
      const rule = ['sqli-union-select', 'xss-script-tag', 'path-traversal-dotdot'][n % 3]!;
      threats.push({
        event: makeEvent(`bench-${n}`, { ip: `198.51.${(n % 2000) >> 8}.${n % 256}`, path: `/items/${n}` }),
        detections: [makeDetection({ ruleId: rule })],
        score: 0.9,
        severity: 'high',
        category: 'sqli',
      });
    }
    out.push(threats);
  }
  return out;
}

async function receiver(mode: 'accept' | 'hang'): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    if (mode === 'accept') req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, server };
}

function notifierFor(url: string): Notifier {
  const config = validateConfig({
    notify: {
      channels: { ops: { type: 'webhook', url, secret: 'bench-secret-0123456789', timeoutSeconds: 2 } },
      routes: [{ channels: ['ops'], minSeverity: 'low' }],
      delivery: { attempts: 3, initialDelaySeconds: 0.05, maxDelaySeconds: 0.5 },
    },
  } as Layer).notify;
  return new Notifier({ config, channels: buildChannels(config, {}), deadLetters: null });
}

/** Per batch: write time (ms), p50 and max over the batches; the event loop is let run between batches. */
async function measure(write: (b: { sourceId: string; threats: ThreatEvent[] }) => void, data: ThreatEvent[][]) {
  const times: number[] = [];
  for (const threats of data) {
    const t0 = performance.now();
    write({ sourceId: 'bench', threats });
    times.push(performance.now() - t0);
    await new Promise((r) => setImmediate(r));
  }
  times.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { batchP50Ms: r(times[Math.floor(times.length / 2)]!), batchMaxMs: r(times.at(-1)!), perThreatP50Us: r((times[Math.floor(times.length / 2)]! * 1000) / BATCH) };
}

export async function runNotifyBench(): Promise<unknown> {
  const data = batches();
  const results: Record<string, unknown> = { batch: BATCH, batches: BATCHES, distinctIps: 2000 };
  for (const mode of ['accept', 'hang', 'refused'] as const) {
    const rx = mode === 'refused' ? null : await receiver(mode);
    let url = rx?.url;
    if (!url) {
      // A port that was free a moment ago: connections are refused.
      const probe = await receiver('accept');
      url = probe.url;
      await new Promise((r) => probe.server.close(r));
    }
    const n = notifierFor(url);
    const figures = await measure((b) => n.write(b), data);
    const stats = n.deliveries.get('ops')!.stats;
    results[mode] = { ...figures, offered: n.stats.offered, throttled: n.stats.throttled, channel: stats };
    await n.close(1000);
    rx?.server.closeAllConnections();
    await new Promise((r) => (rx ? rx.server.close(r) : r(undefined)));
  }
  return results;
}
