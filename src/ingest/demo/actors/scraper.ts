/**
 * Scrapers copying the shop's catalogue, three kinds:
 * - aggressive: an HTTP library walking product pages several a second, never a sub-resource (aggressive-crawl);
 * - headless: headless Chrome reading product pages at a human-ish pace without loading their assets (headless);
 * - rotating: a client that sends a different browser User-Agent with almost every request to dodge per-client
 *   limits (ua-rotation).
 */
import { TOOL_AGENTS } from '../agents.js';
import { AddressPool, HOSTING } from '../networks.js';
import { weightedTable, type Random } from '../random.js';
import { CATEGORIES, ORIGIN, pageBytes, productId } from '../site.js';
import { makeLabel, type ActorModel, type Hit } from '../types.js';

type Kind = 'aggressive' | 'headless' | 'rotating';
const KINDS = weightedTable<Kind>([
  ['aggressive', 4],
  ['headless', 3],
  ['rotating', 3],
]);

const HEADLESS =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36';

export function scraperModel(rng: Random): ActorModel {
  const hosting = new AddressPool(HOSTING);

  /** A plausible browser User-Agent with a random version: a rotating scraper's disguise. */
  const randomBrowser = () =>
    rng.chance(0.7)
      ? `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${rng.int(90, 131)}.0.${rng.int(4000, 6800)}.${rng.int(10, 200)} Safari/537.36`
      : `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${rng.int(90, 133)}.0) Gecko/20100101 Firefox/${rng.int(90, 133)}.0`;

  /** `short`: just long enough to trip its scenario (the opening's). */
  function* session(start: number, forced?: Kind, short = false): Generator<Hit, void> {
    const kind = forced ?? rng.weighted(KINDS);
    const ip = hosting.draw(rng);
    const category = kind === 'rotating' ? 'anomaly' : 'crawler';
    const label = makeLabel('scraper', ip, category);
    const [pages, gapMs] = short
      ? ({ aggressive: [110, 250], headless: [30, 1_500], rotating: [35, 700] } as const)[kind]
      : kind === 'aggressive'
        ? [rng.int(150, 400), rng.between(200, 400)]
        : kind === 'headless'
          ? [rng.int(40, 90), rng.between(1_500, 4_000)]
          : [rng.int(60, 150), rng.between(500, 1_000)];
    const fixedAgent = kind === 'aggressive' ? rng.pick([TOOL_AGENTS.pythonRequests, TOOL_AGENTS.aiohttp, TOOL_AGENTS.goHttp]) : HEADLESS;
    let time = start;
    let previous = '-';
    for (let i = 0; i < pages; i++) {
      const target = i % 10 === 0 ? `/category/${rng.pick(CATEGORIES)}?page=${rng.int(1, 20)}` : `/products/${productId(rng)}`;
      yield {
        time,
        method: 'GET',
        target,
        protocol: 'HTTP/1.1',
        status: 200,
        bytes: pageBytes(rng, target),
        referer: kind === 'aggressive' ? '-' : previous,
        userAgent: kind === 'rotating' ? randomBrowser() : fixedAgent,
        label,
      };
      previous = ORIGIN + target;
      time += rng.exponential(gapMs);
    }
  }

  return {
    actor: 'scraper',
    meanLines: 150,
    session: (start) => session(start),
    // Each kind once, one after the other, so a fresh demo shows all three.
    opening: function* (start) {
      let time = start;
      for (const kind of ['rotating', 'aggressive', 'headless'] as const) {
        for (const hit of session(time, kind, true)) {
          time = hit.time;
          yield hit;
        }
        time += 10_000;
      }
    },
  };
}
