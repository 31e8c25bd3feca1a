/**
 * Keyed scenarios: leaky buckets whose tokens come from requests that are rare in ordinary traffic (a user listing,
 * a cache-busting query, a 404, a malformed request line), keyed by what they count per: the client IP, the site,
 * or one page of a site. Their state (keyed/table.ts) is touched only by those requests, so a scenario here costs
 * ordinary traffic one cheap test per request. Adding one is an entry in KEYED_SCENARIOS, its bucket in config.ts,
 * and a case in keyed.test.ts (the recipe in docs/architecture.md).
 */
import type { HttpEvent, Category } from '../../../core/index.js';
import type { BehaviourConfig } from '../config.js';
import { MAX_HASHED_CHARS } from '../sketch.js';

/** What a bucket counts per: the client, the site (Host), or one page of a site. */
export type KeyKind = 'ip' | 'site' | 'page';

export interface KeyedScenarioSpec {
  /** ruleId is `behaviour/<id>`. */
  readonly id: string;
  readonly configKey: keyof BehaviourConfig['scenarios'];
  readonly key: KeyKind;
  readonly category: Category;
  readonly confidence: number;
  /** What one token is, for the detail line. */
  readonly token: string;
  /**
   * Tokens this request pours (0: not a candidate). `asset`: the request is a sub-resource (resource.ts). Pure, and
   * cheap on ordinary requests: it runs on every event.
   */
  tokens(e: HttpEvent, asset: boolean): number;
}

/** Versions a request line may carry; '' is HTTP/0.9 (`GET /path`), still seen in old logs. */
const KNOWN_PROTOCOLS = new Set(['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/2', 'HTTP/3', 'HTTP/3.0', 'HTTP/0.9']);

export const KEYED_SCENARIOS: readonly KeyedScenarioSpec[] = [
  {
    // WordPress `?author=N` redirects to the author's slug; the REST user listings return every login name. A
    // logged-in editor's own listings come with a /wp-admin/ referer and do not count.
    id: 'user-enumeration',
    configKey: 'userEnumeration',
    key: 'ip',
    category: 'bruteforce',
    confidence: 0.8,
    token: 'user enumeration requests',
    tokens: (e) => {
      const q = e.query;
      if (q !== '' && authorNumber(q)) return 1;
      if (userListing(e.path, q)) return e.referer !== null && e.referer.includes('/wp-admin/') ? 0 : 2;
      return 0;
    },
  },
  {
    // Many requests to one page, each with a query never meant for it (a random number or token), from any number
    // of clients: the query defeats the cache so every request reaches the application.
    id: 'cache-busting',
    configKey: 'cacheBusting',
    key: 'page',
    category: 'dos',
    confidence: 0.8,
    token: 'requests with a random query to one page',
    tokens: (e, asset) => (e.query !== '' && !asset && (e.method === 'GET' || e.method === 'HEAD') && bustingQuery(e.query) ? 1 : 0),
  },
  {
    // Random-path floods: 404s to one site faster than any crawler or scanner misses, from any number of clients.
    id: 'not-found-flood',
    configKey: 'notFoundFlood',
    key: 'site',
    category: 'dos',
    confidence: 0.75,
    token: '404 answers',
    tokens: (e) => (e.status === 404 ? 1 : 0),
  },
  {
    // A request line that is not `METHOD target HTTP/x.y` with a known version: binary or TLS bytes to a plain port,
    // fuzzers, smuggling attempts (`HTTP/1.2`, `HTTP/1.1 extra`).
    id: 'malformed-request',
    configKey: 'malformedRequest',
    key: 'ip',
    category: 'protocol',
    confidence: 0.6,
    token: 'malformed request lines',
    tokens: (e) => {
      const p = e.protocol;
      if (p === 'HTTP/1.1' || p === 'HTTP/1.0') return 0;
      if (e.method === '-') return e.path !== '' ? 1 : 0; // '' is nginx's empty request ("-"): a closed connection
      return p === '' || KNOWN_PROTOCOLS.has(p) ? 0 : 1;
    },
  },
];

/** `author=<digits>` as a parameter of the query (WordPress author enumeration). */
export function authorNumber(query: string): boolean {
  let i = query.indexOf('author=');
  while (i >= 0) {
    if (i === 0 || query.charCodeAt(i - 1) === 38 /* & */) {
      const c = query.charCodeAt(i + 7);
      if (c >= 48 && c <= 57) return true;
    }
    i = query.indexOf('author=', i + 7);
  }
  return false;
}

/** REST endpoints that list an application's users (WordPress, also through ?rest_route=; Drupal JSON:API). */
export function userListing(path: string, query: string): boolean {
  // One scan for the common part first: this runs on every request.
  if (path.length >= 12 && path.includes('user') && (path.includes('/wp/v2/users') || path.includes('/jsonapi/user/user'))) {
    return true;
  }
  return query.length >= 22 && query.includes('rest_route=') && (query.includes('/wp/v2/users') || query.includes('%2Fwp%2Fv2%2Fusers'));
}

/**
 * A query that only defeats a cache: at most three parameters (or a bare value), one of them a random-looking value:
 * 8 to 64 digits (`?1689656213`), or 6 to 64 letters and digits mixed (`?cb=a8f3k29d`). Words and short numbers
 * (`q=laptop`, `page=2`, `id=31893`) are not; a search for `iphone12` is, which the rate threshold has to absorb.
 */
export function bustingQuery(query: string): boolean {
  const n = query.length;
  if (n < 6 || n > MAX_HASHED_CHARS) return false;
  let params = 1;
  let start = 0;
  let found = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? query.charCodeAt(i) : 38;
    if (c === 38 /* & */) {
      if (++params > 3) return false;
      if (!found) found = randomValue(query, start, i);
      start = i + 1;
    } else if (c === 61 /* = */ && i >= start) {
      start = i + 1;
    }
  }
  return found;
}

/**
 * The path's last segment, without extension, looks random (as randomValue: `/k2j4h5g6x9`, `/83920174`): what a
 * random-path flood asks for, unlike a scanner's wordlist (`/admin.php`, `/.env`, `/backup.zip`).
 */
export function randomLastSegment(path: string): boolean {
  const end = path.length;
  if (end > MAX_HASHED_CHARS) return false;
  const slash = path.lastIndexOf('/');
  return randomValue(path, slash + 1, end);
}

function randomValue(s: string, start: number, end: number): boolean {
  const n = end - start;
  if (n < 6 || n > 64) return false;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return digits === n ? n >= 8 : digits >= 1 && digits < n;
}
