/**
 * The simulated site: a small shop with pages, their sub-resources and JSON calls. Sizes are stable per
 * resource (derived from its id), as they are on a real server.
 */
import type { Random } from './random.js';

export const ORIGIN = 'https://shop.example.com';

export const CATEGORIES = [
  'laptops',
  'phones',
  'headphones',
  'cameras',
  'monitors',
  'keyboards',
  'watches',
  'tablets',
  'speakers',
  'accessories',
] as const;

/** What shoppers type, a few in other languages so the encoder meets non-ASCII text. */
export const SEARCH_TERMS = [
  'usb c cable',
  'wireless mouse',
  'gaming laptop',
  'noise cancelling headphones',
  '27 inch 4k monitor',
  'iphone 16 case',
  'mechanical keyboard',
  'smart watch',
  'bluetooth speaker',
  'sd card 128gb',
  'macbook air m3',
  'galaxy s24',
  'hdmi 2.1',
  'usb-c hub',
  'ergonomic chair',
  'webcam 1080p',
  'ssd 1tb nvme',
  'airpods pro',
  'kindle',
  'power bank 20000mah',
  "kid's tablet",
  'kopfhörer kabellos',
  'écouteurs sans fil',
  'ноутбук',
  '充電器',
  'funda móvil',
] as const;

/** Hashed bundle names change with each deploy; one deploy is enough for a demo. */
export const STYLESHEET = '/static/css/app.3f9c2a1b.css';
export const SCRIPTS = [
  '/static/js/runtime.8e1d40aa.js',
  '/static/js/vendor.5b7a9c03.js',
  '/static/js/app.c41d2e77.js',
];
export const FONT = '/static/fonts/inter-var.woff2';

const ASSET_BYTES: Record<string, number> = {
  [STYLESHEET]: 48_213,
  '/static/js/runtime.8e1d40aa.js': 2_874,
  '/static/js/vendor.5b7a9c03.js': 187_402,
  '/static/js/app.c41d2e77.js': 64_931,
  [FONT]: 47_620,
  '/favicon.ico': 15_086,
};

export const FIRST_PRODUCT = 1000;
export const PRODUCT_COUNT = 1200;

/** Popular products get most views: a squared uniform skews towards low ids. */
export function productId(rng: Random): number {
  const u = rng.next();
  return FIRST_PRODUCT + Math.floor(u * u * PRODUCT_COUNT);
}

/** A deterministic "size" for a resource id, spread between min and max. */
export function stableSize(id: number, min: number, max: number): number {
  const h = Math.imul(id ^ 0x5bd1e995, 0x27d4eb2d) >>> 0;
  return min + (h % (max - min + 1));
}

export function assetBytes(path: string): number {
  return ASSET_BYTES[path] ?? 0;
}

export function productImage(id: number, n: number): string {
  return `/static/img/products/${id}-${n}.webp`;
}

export function thumbnail(id: number): string {
  return `/static/img/products/${id}-thumb.webp`;
}

export function imageBytes(id: number, n: number): number {
  return n === 0 ? stableSize(id, 6_000, 24_000) : stableSize(id * 7 + n, 40_000, 260_000);
}

/** HTML pages vary with their content; products have a fixed size, listings vary a little per request. */
export function pageBytes(rng: Random, path: string): number {
  if (path.startsWith('/products/')) return stableSize(Number(path.slice(10)) || 1, 24_000, 61_000);
  return rng.int(18_000, 52_000);
}

export const EXTERNAL_REFERERS: readonly (readonly [string, number])[] = [
  ['-', 32],
  ['https://www.google.com/', 40],
  ['https://www.bing.com/', 5],
  ['https://duckduckgo.com/', 3],
  ['https://www.facebook.com/', 4],
  ['https://l.instagram.com/', 3],
  ['https://t.co/', 1],
  ['https://www.reddit.com/', 2],
  ['android-app://com.google.android.gm/', 1],
];
