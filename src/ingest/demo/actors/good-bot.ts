/**
 * Search-engine and preview crawlers: robots.txt first (sometimes), then pages at a steady pace with no
 * sub-resources and no referer, from the bot's published address ranges.
 */
import { GOOD_BOTS, logAgent } from '../agents.js';
import { parseBlock, randomAddress } from '../networks.js';
import { weightedTable, type Random } from '../random.js';
import { CATEGORIES, imageBytes, pageBytes, productId, productImage } from '../site.js';
import { makeLabel, type ActorModel, type Hit } from '../types.js';

export function goodBotModel(rng: Random): ActorModel {
  const bots = weightedTable(
    GOOD_BOTS.map(
      (bot) =>
        [
          { name: bot.name, userAgent: logAgent(bot.userAgent), blocks: bot.blocks.map(parseBlock) },
          bot.weight,
        ] as const,
    ),
  );

  function* session(start: number): Generator<Hit, void> {
    const bot = rng.weighted(bots);
    const label = makeLabel('good_bot', randomAddress(rng, rng.pick(bot.blocks)));
    const userAgent = bot.userAgent;
    let time = start;
    const hit = (method: string, target: string, status: number, bytes: number): Hit => ({
      time,
      method,
      target,
      protocol: 'HTTP/1.1',
      status,
      bytes,
      referer: '-',
      userAgent,
      label,
    });

    if (bot.name === 'UptimeRobot') {
      yield hit(rng.chance(0.5) ? 'HEAD' : 'GET', '/', 200, 0);
      return;
    }
    if (bot.name === 'facebookexternalhit') {
      // Link previews: one page, maybe a refetch of the og:image.
      const id = productId(rng);
      yield hit('GET', `/products/${id}`, 200, pageBytes(rng, `/products/${id}`));
      if (rng.chance(0.6)) {
        time += rng.between(200, 900);
        yield hit('GET', productImage(id, 1), 200, imageBytes(id, 1));
      }
      return;
    }
    if (rng.chance(0.35)) {
      yield hit('GET', '/robots.txt', 200, 412);
      time += rng.between(300, 4_000);
    }
    if (rng.chance(0.15)) {
      yield hit('GET', '/sitemap.xml', rng.chance(0.3) ? 304 : 200, 38_517);
      time += rng.between(500, 5_000);
    }
    const imageBot = bot.name === 'Googlebot-Image';
    const fetches = Math.min(60, rng.geometric(imageBot ? 4 : 9));
    for (let i = 0; i < fetches; i++) {
      const id = productId(rng);
      if (imageBot) {
        yield hit('GET', productImage(id, 1), 200, imageBytes(id, 1));
      } else {
        const target = rng.chance(0.8) ? `/products/${id}` : `/category/${rng.pick(CATEGORIES)}`;
        const roll = rng.next();
        if (roll < 0.03) yield hit('GET', target, 404, 4_187);
        else if (roll < 0.13) yield hit('GET', target, 304, 0);
        else yield hit('GET', target, 200, pageBytes(rng, target));
      }
      time += rng.exponential(6_000) + 300;
    }
  }

  return { actor: 'good_bot', meanLines: 8.6, session };
}
