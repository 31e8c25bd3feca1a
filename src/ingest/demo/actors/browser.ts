/**
 * People shopping: a landing page from a search engine or a link, its sub-resources with the page as
 * referer, JSON calls from the page's scripts, then a few more pages after human think times.
 */
import { BROWSER_AGENTS, logAgent } from '../agents.js';
import { encodeQueryValue } from '../encode.js';
import { AddressPool, RESIDENTIAL } from '../networks.js';
import { weightedTable, type Random } from '../random.js';
import {
  CATEGORIES,
  EXTERNAL_REFERERS,
  FONT,
  ORIGIN,
  SCRIPTS,
  SEARCH_TERMS,
  STYLESHEET,
  assetBytes,
  imageBytes,
  pageBytes,
  productId,
  productImage,
  thumbnail,
} from '../site.js';
import { makeLabel, type ActorModel, type DemoLabel, type Hit } from '../types.js';

type PageKind = 'home' | 'product' | 'category' | 'search' | 'cart' | 'login' | 'account';

const LANDING = weightedTable<PageKind>([
  ['home', 30],
  ['product', 38],
  ['category', 20],
  ['search', 12],
]);

const NEXT = weightedTable<PageKind>([
  ['product', 44],
  ['category', 15],
  ['search', 13],
  ['home', 8],
  ['cart', 11],
  ['login', 5],
  ['account', 4],
]);

interface Page {
  kind: PageKind;
  target: string;
  id: number;
}

function pageFor(rng: Random, kind: PageKind): Page {
  switch (kind) {
    case 'product': {
      const id = productId(rng);
      return { kind, target: `/products/${id}`, id };
    }
    case 'category': {
      const slug = rng.pick(CATEGORIES);
      const query = rng.chance(0.3)
        ? `?page=${rng.int(2, 6)}&sort=${rng.pick(['price_asc', 'price_desc', 'rating'])}`
        : '';
      return { kind, target: `/category/${slug}${query}`, id: 0 };
    }
    case 'search':
      return { kind, target: `/search?q=${encodeQueryValue(rng.pick(SEARCH_TERMS), 'form')}`, id: 0 };
    case 'cart':
      return { kind, target: '/cart', id: 0 };
    case 'login':
      return { kind, target: '/login', id: 0 };
    case 'account':
      return { kind, target: '/account/orders', id: 0 };
    default:
      return { kind: 'home', target: '/', id: 0 };
  }
}

export function browserModel(rng: Random): ActorModel {
  const addresses = new AddressPool(RESIDENTIAL);
  const agents = weightedTable(BROWSER_AGENTS.map(([ua, weight]) => [logAgent(ua), weight] as const));
  const referers = weightedTable(EXTERNAL_REFERERS);

  function* session(start: number): Generator<Hit, void> {
    const label: DemoLabel = makeLabel('browser', addresses.draw(rng));
    const userAgent = rng.weighted(agents);
    const protocol = rng.chance(0.92) ? 'HTTP/2.0' : 'HTTP/1.1';
    // A returning visitor's cache answers with 304s; a new one downloads everything.
    const returning = rng.chance(0.25);
    let time = start;
    let loggedIn = false;
    let pageUrl = '';
    const hit = (method: string, target: string, status: number, bytes: number, referer: string): Hit => ({
      time,
      method,
      target,
      protocol,
      status,
      bytes,
      referer,
      userAgent,
      label,
    });
    const soon = (meanMs: number): void => {
      time += 2 + rng.exponential(meanMs);
    };
    const cached = (path: string, fresh: boolean): Hit =>
      fresh ? hit('GET', path, 200, assetBytes(path), pageUrl) : hit('GET', path, 304, 0, pageUrl);

    let page = pageFor(rng, rng.weighted(LANDING));
    let referer = rng.weighted(referers);
    const pages = Math.min(30, rng.geometric(4.5));
    for (let n = 0; n < pages; n++) {
      if (page.kind === 'account' && !loggedIn) {
        yield hit('GET', page.target, 302, 0, referer);
        soon(80);
        referer = ORIGIN + page.target;
        page = pageFor(rng, 'login');
      }
      pageUrl = ORIGIN + page.target;
      const missing = page.kind === 'product' && rng.chance(0.012);
      yield hit(
        'GET',
        page.target,
        missing ? 404 : 200,
        missing ? rng.int(4_100, 4_300) : pageBytes(rng, page.target),
        referer,
      );

      if (n === 0) {
        soon(40);
        yield cached(STYLESHEET, !returning);
        for (const script of SCRIPTS) {
          soon(15);
          yield cached(script, !returning);
        }
        soon(30);
        // Fonts are requested by the stylesheet, so their referer is the stylesheet.
        yield returning
          ? hit('GET', FONT, 304, 0, ORIGIN + STYLESHEET)
          : hit('GET', FONT, 200, assetBytes(FONT), ORIGIN + STYLESHEET);
        if (!returning) {
          soon(20);
          yield hit('GET', '/favicon.ico', 200, assetBytes('/favicon.ico'), pageUrl);
        }
      }

      const images: [number, number][] = [];
      if (page.kind === 'product' && !missing) {
        for (let i = 1; i <= 3; i++) images.push([page.id, i]);
        for (let i = 0; i < 4; i++) images.push([productId(rng), 0]);
      } else if (page.kind === 'home' || page.kind === 'category' || page.kind === 'search') {
        for (let i = rng.int(8, 16); i > 0; i--) images.push([productId(rng), 0]);
      } else if (page.kind === 'cart') {
        for (let i = rng.int(1, 3); i > 0; i--) images.push([productId(rng), 0]);
      }
      for (const [id, view] of images) {
        soon(25);
        const path = view === 0 ? thumbnail(id) : productImage(id, view);
        if (rng.chance(0.004)) yield hit('GET', path, 404, 153, pageUrl);
        else if (returning && rng.chance(0.6)) yield hit('GET', path, 304, 0, pageUrl);
        else yield hit('GET', path, 200, imageBytes(id, view), pageUrl);
      }

      if (!missing) {
        soon(120);
        yield hit('GET', '/api/cart', 200, rng.int(180, 900), pageUrl);
        if (page.kind === 'product') {
          soon(40);
          yield hit('GET', `/api/products/${page.id}/reviews?page=1`, 200, rng.int(1_200, 9_000), pageUrl);
          soon(40);
          yield hit('GET', `/api/recommendations?product=${page.id}`, 200, rng.int(2_000, 4_500), pageUrl);
          if (rng.chance(0.12)) {
            time += rng.logNormal(4_000, 0.6);
            yield hit('POST', '/api/cart/items', 201, rng.int(250, 420), pageUrl);
          }
        }
        if (page.kind === 'login' && rng.chance(0.5)) {
          // A real customer signing in: one POST, a redirect, the account page.
          time += rng.logNormal(9_000, 0.5);
          const wrong = rng.chance(0.1);
          yield hit('POST', '/login', wrong ? 200 : 302, wrong ? rng.int(9_000, 9_400) : 0, pageUrl);
          if (!wrong) {
            loggedIn = true;
            soon(60);
            yield hit('GET', '/account/orders', 200, rng.int(14_000, 30_000), pageUrl);
          }
        }
      }

      time += Math.min(600_000, rng.logNormal(14_000, 1));
      referer = pageUrl;
      page = pageFor(rng, rng.weighted(NEXT));
    }
  }

  return { actor: 'browser', meanLines: 56, session };
}
