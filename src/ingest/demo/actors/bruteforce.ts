/**
 * Credential stuffing and password guessing: one address posting to one login endpoint (or retrying one page
 * behind HTTP basic auth) at a steady cadence, answered with the endpoint's failure status, very rarely a success.
 * WordPress attackers often list the users first (`?author=N`, the REST user listing).
 */
import { FAKE_BROWSER_AGENTS, TOOL_AGENTS, logAgent } from '../agents.js';
import { AddressPool, HOSTING, IOT_BOTNET, TOR_EXITS } from '../networks.js';
import { weightedTable, type Random } from '../random.js';
import { ORIGIN } from '../site.js';
import { makeLabel, type ActorModel, type Hit } from '../types.js';

interface LoginTarget {
  readonly path: string;
  /** POST for a form or API; GET for a page behind HTTP basic auth (each retry carries new credentials). */
  readonly method: 'POST' | 'GET';
  /** Status and body size of a failed attempt. */
  readonly fail: readonly [number, number, number];
  readonly success: readonly [number, number];
  /** Fetches the form first, as a browser-driven tool does. */
  readonly formFirst: boolean;
}

/** WordPress answers a bad password with 200 and the form again; APIs with 401; Drupal with 403 after flood control. */
const TARGETS = weightedTable<LoginTarget>([
  [{ path: '/wp-login.php', method: 'POST', fail: [200, 4_400, 4_700], success: [302, 0], formFirst: true }, 30],
  [{ path: '/xmlrpc.php', method: 'POST', fail: [200, 403, 420], success: [200, 1_800], formFirst: false }, 20],
  [{ path: '/login', method: 'POST', fail: [401, 9_000, 9_400], success: [302, 0], formFirst: true }, 20],
  [{ path: '/user/login', method: 'POST', fail: [403, 7_800, 8_100], success: [303, 0], formFirst: true }, 10],
  [{ path: '/api/auth/login', method: 'POST', fail: [401, 52, 64], success: [200, 612], formFirst: false }, 20],
  [{ path: '/admin/', method: 'GET', fail: [401, 172, 190], success: [200, 5_400], formFirst: false }, 15],
  [{ path: '/phpmyadmin/index.php', method: 'POST', fail: [200, 8_900, 9_300], success: [302, 0], formFirst: true }, 10],
]);

export function bruteforceModel(rng: Random): ActorModel {
  const sources = weightedTable([
    [new AddressPool(HOSTING), 6],
    [new AddressPool(IOT_BOTNET), 3],
    [new AddressPool(TOR_EXITS), 1],
  ] as const);
  const agents = [
    TOOL_AGENTS.pythonRequests,
    TOOL_AGENTS.goHttp,
    TOOL_AGENTS.curl,
    TOOL_AGENTS.hydra,
    ...FAKE_BROWSER_AGENTS.map(logAgent),
  ];

  function* session(start: number, attempts = rng.int(20, 240)): Generator<Hit, void> {
    const ip = rng.weighted(sources).draw(rng);
    const login = makeLabel('bruteforce', ip, 'bruteforce');
    const userAgent = rng.pick(agents);
    const target = rng.weighted(TARGETS);
    // Tools sleep a fixed interval between attempts; the jitter is network noise.
    const interval = rng.between(400, 3_000);
    let time = start;
    const hit = (method: string, status: number, bytes: number, referer: string): Hit => ({
      time,
      method,
      target: target.path,
      protocol: 'HTTP/1.1',
      status,
      bytes,
      referer,
      userAgent,
      label: login,
      // Credential-stuffing tools randomise their TLS ClientHello against fingerprint blocking (JA4 in the ja4 format).
      tls: 'rotating',
    });

    if (target.path === '/wp-login.php' && rng.chance(0.5)) {
      // User enumeration: the REST listing, then author archives until they run out.
      const enumeration = makeLabel('bruteforce', ip, 'bruteforce');
      yield { ...hit('GET', 200, 1_900, '-'), target: '/wp-json/wp/v2/users', label: enumeration };
      time += rng.between(300, 1_500);
      const authors = rng.int(2, 5);
      for (let n = 1; n <= authors + 2; n++) {
        yield { ...hit('GET', n <= authors ? 301 : 404, n <= authors ? 0 : 9_800, '-'), target: `/?author=${n}`, label: enumeration };
        time += rng.between(300, 1_500);
      }
    }
    if (target.formFirst) {
      yield { ...hit('GET', 200, target.fail[1], '-'), label: makeLabel('bruteforce', ip) };
      time += rng.between(200, 1_500);
    }
    const referer = target.formFirst && rng.chance(0.5) ? ORIGIN + target.path : '-';
    const [failStatus, minBytes, maxBytes] = target.fail;
    for (let i = 0; i < attempts; i++) {
      if (rng.chance(0.002)) yield hit(target.method, target.success[0], target.success[1], referer);
      else yield hit(target.method, failStatus, rng.int(minBytes, maxBytes), referer);
      time += interval * rng.between(0.9, 1.1);
    }
  }

  return {
    actor: 'bruteforce',
    meanLines: 131,
    session: (start) => session(start),
    opening: (start) => session(start, 40),
  };
}
