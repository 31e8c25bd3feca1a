/**
 * An HTTP GET flood: one to three addresses hammering one dynamic page many times a second for a
 * short while. Once the site's rate limit engages, most answers become 503 (nginx limit_req).
 */
import { FAKE_BROWSER_AGENTS, TOOL_AGENTS, logAgent } from '../agents.js';
import { AddressPool, HOSTING, IOT_BOTNET } from '../networks.js';
import type { Random } from '../random.js';
import { makeLabel, type ActorModel, type DemoLabel, type Hit } from '../types.js';

const TARGETS = ['/', '/search?q=laptop', '/search?q=a', '/products/1042', '/cart', '/api/products?page=1'];

export function floodModel(rng: Random): ActorModel {
  const hosting = new AddressPool(HOSTING);
  const botnet = new AddressPool(IOT_BOTNET);
  const agents = [
    TOOL_AGENTS.goHttp,
    TOOL_AGENTS.aiohttp,
    TOOL_AGENTS.pythonRequests,
    ...FAKE_BROWSER_AGENTS.map(logAgent),
  ];

  function* session(start: number, durationMs = rng.between(10_000, 60_000)): Generator<Hit, void> {
    const pool = rng.chance(0.6) ? hosting : botnet;
    const labels: DemoLabel[] = Array.from({ length: rng.int(1, 3) }, () =>
      makeLabel('flood', pool.draw(rng), 'dos'),
    );
    const target = rng.pick(TARGETS);
    const userAgent = rng.pick(agents);
    const perSecond = rng.between(10, 30);
    const limitAfter = rng.between(2_000, 8_000);
    const end = start + durationMs;
    for (let time = start; time < end; time += rng.exponential(1_000 / perSecond)) {
      const limited = time - start > limitAfter && rng.chance(0.85);
      yield {
        time,
        method: 'GET',
        target,
        protocol: 'HTTP/1.1',
        status: limited ? 503 : 200,
        bytes: limited ? 197 : rng.int(18_000, 26_000),
        referer: '-',
        userAgent,
        label: rng.pick(labels),
      };
    }
  }

  return {
    actor: 'flood',
    meanLines: 700,
    session: (start) => session(start),
    opening: (start) => session(start, 15_000),
  };
}
