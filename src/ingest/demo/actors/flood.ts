/**
 * Floods, three kinds:
 * - page: one to three addresses hammering one dynamic page many times a second each, for a short while; once the
 *   site's rate limit engages, most answers become 503 (nginx limit_req);
 * - cache-busting: a botnet's addresses each asking for one page a few times a second, every request with a random
 *   query so that no cache answers it;
 * - random-404: a botnet's addresses asking for random paths, every one a 404 the application has to compute.
 */
import { FAKE_BROWSER_AGENTS, TOOL_AGENTS, logAgent } from '../agents.js';
import { AddressPool, HOSTING, IOT_BOTNET } from '../networks.js';
import { weightedTable, type Random } from '../random.js';
import { makeLabel, type ActorModel, type DemoLabel, type Hit } from '../types.js';

const TARGETS = ['/', '/search?q=laptop', '/search?q=a', '/products/1042', '/cart', '/api/products?page=1'];
const BUSTED = ['/', '/products/1042', '/category/laptops', '/search'];

type Kind = 'page' | 'cache-busting' | 'random-404';
const KINDS = weightedTable<Kind>([
  ['page', 5],
  ['cache-busting', 3],
  ['random-404', 2],
]);

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function floodModel(rng: Random): ActorModel {
  const hosting = new AddressPool(HOSTING);
  const botnet = new AddressPool(IOT_BOTNET);
  const agents = [
    TOOL_AGENTS.goHttp,
    TOOL_AGENTS.aiohttp,
    TOOL_AGENTS.pythonRequests,
    ...FAKE_BROWSER_AGENTS.map(logAgent),
  ];
  const token = (n: number) => Array.from({ length: n }, () => ALPHANUMERIC[rng.int(0, ALPHANUMERIC.length - 1)]).join('');

  /** `addresses` and `perAddress` (requests per second from each) are drawn unless given (the opening's). */
  function* session(
    start: number,
    forced?: Kind,
    durationMs = rng.between(15_000, 60_000),
    addresses?: number,
    rate?: number,
  ): Generator<Hit, void> {
    const kind = forced ?? rng.weighted(KINDS);
    const pool = kind === 'page' && rng.chance(0.6) ? hosting : botnet;
    const count = addresses ?? (kind === 'page' ? rng.int(1, 3) : rng.int(10, 30));
    const labels: DemoLabel[] = Array.from({ length: count }, () => makeLabel('flood', pool.draw(rng), 'dos'));
    const userAgent = rng.pick(agents);
    // Requests per second from each address: a page flood's few addresses each exceed any browser's rate; a botnet's
    // many stay low each, and only the target sees the sum.
    const perAddress = rate ?? (kind === 'page' ? rng.between(15, 40) : rng.between(1, 3));
    const perSecond = perAddress * labels.length;
    const target = kind === 'page' ? rng.pick(TARGETS) : rng.pick(BUSTED);
    const limitAfter = rng.between(2_000, 8_000);
    const end = start + durationMs;
    for (let time = start; time < end; time += rng.exponential(1_000 / perSecond)) {
      const label = rng.pick(labels);
      if (kind === 'random-404') {
        yield { time, method: 'GET', target: `/${token(rng.int(6, 14))}`, protocol: 'HTTP/1.1', status: 404, bytes: 153, referer: '-', userAgent, label };
        continue;
      }
      const limited = kind === 'page' && time - start > limitAfter && rng.chance(0.85);
      const query = kind === 'cache-busting' ? (rng.chance(0.5) ? `?${rng.int(1e9, 2e9)}` : `?_=${token(10)}`) : '';
      yield {
        time,
        method: 'GET',
        target: `${target}${query}`,
        protocol: 'HTTP/1.1',
        status: limited ? 503 : 200,
        bytes: limited ? 197 : rng.int(18_000, 26_000),
        referer: '-',
        userAgent,
        label,
      };
    }
  }

  return {
    actor: 'flood',
    meanLines: 900,
    session: (start) => session(start),
    // Each kind once, a minute apart, so a fresh demo shows all three within two minutes.
    opening: function* (start) {
      yield* session(start, 'page', 10_000, 1, 25);
      yield* session(start + 60_000, 'cache-busting', 10_000, 10, 2);
      yield* session(start + 120_000, 'random-404', 10_000, 20, 2);
    },
  };
}
