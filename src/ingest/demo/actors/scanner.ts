/**
 * Vulnerability scanners and botnets: bursts of probes from one address, mostly answered 404, with a
 * tool's user agent or a stale browser string. Each profile below is one kind of scanner seen daily.
 */
import { FAKE_BROWSER_AGENTS, TOOL_AGENTS, logAgent } from '../agents.js';
import { escapeLogValue } from '../encode.js';
import { AddressPool, CENSYS, HOSTING, IOT_BOTNET } from '../networks.js';
import { weightedTable, type Random } from '../random.js';
import { makeLabel, type ActorModel, type DemoLabel, type Hit } from '../types.js';
import {
  CVE_PROBES,
  DIRECTORY_SUFFIXES,
  DIRECTORY_WORDS,
  PANELS,
  RECON_PATHS,
  SENSITIVE_FILES,
  TLS_HANDSHAKE,
  WEBSHELLS,
  type Probe,
} from './probes.js';

type Profile = 'env_hunter' | 'wordpress' | 'nuclei' | 'nikto' | 'dirbuster' | 'iot' | 'census';

const PROFILES = weightedTable<Profile>([
  ['env_hunter', 26],
  ['wordpress', 12],
  ['nuclei', 12],
  ['nikto', 5],
  ['dirbuster', 7],
  ['iot', 20],
  ['census', 18],
]);

/** Probes as they appear in the log (backslashes and raw bytes escaped the nginx way). */
const logged = (probes: readonly Probe[]): readonly Probe[] =>
  probes.map((p) => ({ ...p, target: escapeLogValue(p.target) }));
const SENSITIVE = logged(SENSITIVE_FILES);
const ADMIN = logged(PANELS);
const WORDPRESS = ADMIN.filter((p) => p.target.includes('wp-') || p.target.startsWith('/xmlrpc'));
const CVE = logged(CVE_PROBES);
const IOT = CVE.filter((p) => /boaform|HNAP1|GponForm|shell\?|setup\.cgi|luci|level\/15/.test(p.target));
const SHELLS = logged(WEBSHELLS);
const EVERYTHING = [...SENSITIVE, ...ADMIN, ...CVE, ...SHELLS];

const NGINX_403 = 153;
const NGINX_400 = 157;

/** What this site answers: dotfiles are denied, traversal above the root is a bad request. */
function answer(rng: Random, probe: Probe): [number, number] {
  if (probe.target.startsWith('/.') && !probe.target.startsWith('/.well-known')) return [403, NGINX_403];
  if (/%2e|\.\.\/|%252e/i.test(probe.target)) return [400, NGINX_400];
  if (probe.target.startsWith('/?')) return [200, rng.int(21_000, 23_000)]; // the home page ignores the query
  if (probe.method === 'POST' && rng.chance(0.3)) return [405, 157];
  return [404, rng.int(4_150, 4_220)];
}

function directoryProbe(rng: Random): Probe {
  return {
    method: 'GET',
    target: `/${rng.pick(DIRECTORY_WORDS)}${rng.pick(DIRECTORY_SUFFIXES)}`,
    category: 'scanner',
  };
}

export function scannerModel(rng: Random): ActorModel {
  const hosting = new AddressPool(HOSTING);
  const botnet = new AddressPool(IOT_BOTNET);
  const censys = new AddressPool(CENSYS);
  const fakeBrowsers = FAKE_BROWSER_AGENTS.map(logAgent);
  const recentIps: string[] = [];

  function* session(start: number, forced?: Profile): Generator<Hit, void> {
    const profile = forced ?? rng.weighted(PROFILES);
    let ip: string;
    let userAgent: string;
    let probes: number;
    let gapMs: number;
    let pickProbe: () => Probe;
    switch (profile) {
      case 'env_hunter':
        ip = hosting.draw(rng);
        userAgent = rng.pick([
          TOOL_AGENTS.pythonRequests,
          TOOL_AGENTS.goHttp,
          TOOL_AGENTS.curl,
          ...fakeBrowsers,
        ]);
        [probes, gapMs] = [rng.int(5, 40), 250];
        pickProbe = () => (rng.chance(0.85) ? rng.pick(SENSITIVE) : rng.pick(ADMIN));
        break;
      case 'wordpress':
        ip = hosting.draw(rng);
        userAgent = rng.chance(0.4) ? TOOL_AGENTS.wpscan : rng.pick(fakeBrowsers);
        [probes, gapMs] = [rng.int(6, 30), 400];
        pickProbe = () =>
          rng.chance(0.6) ? rng.pick(WORDPRESS) : rng.chance(0.5) ? rng.pick(SHELLS) : rng.pick(SENSITIVE);
        break;
      case 'nuclei':
        ip = hosting.draw(rng);
        userAgent = rng.chance(0.5) ? TOOL_AGENTS.nuclei : rng.pick(fakeBrowsers);
        [probes, gapMs] = [rng.int(30, 150), 120];
        pickProbe = () => rng.pick(EVERYTHING);
        break;
      case 'nikto':
        ip = hosting.draw(rng);
        userAgent = TOOL_AGENTS.nikto;
        [probes, gapMs] = [rng.int(60, 200), 60];
        pickProbe = () => (rng.chance(0.3) ? directoryProbe(rng) : rng.pick(EVERYTHING));
        break;
      case 'dirbuster':
        ip = hosting.draw(rng);
        userAgent = rng.pick([TOOL_AGENTS.gobuster, TOOL_AGENTS.ffuf]);
        [probes, gapMs] = [rng.int(60, 250), 30];
        pickProbe = () => directoryProbe(rng);
        break;
      case 'iot':
        ip = botnet.draw(rng);
        userAgent = rng.pick([TOOL_AGENTS.mozi, '-', TOOL_AGENTS.goHttp, ...fakeBrowsers]);
        [probes, gapMs] = [rng.int(1, 4), 1_500];
        pickProbe = () => rng.pick(IOT);
        break;
      default: {
        const tool = rng.pick(['censys', 'zgrab', 'masscan', 'nmap', 'leakix'] as const);
        ip = tool === 'censys' ? censys.draw(rng) : hosting.draw(rng);
        userAgent = TOOL_AGENTS[tool];
        [probes, gapMs] = [rng.int(1, 3), 2_000];
        pickProbe = () => (rng.chance(0.5) ? rng.pick(SENSITIVE) : rng.pick(ADMIN));
      }
    }
    // Scanners come back: a third of the time reuse a recent scanner address.
    if (recentIps.length > 0 && rng.chance(0.3)) ip = rng.pick(recentIps);
    else if (recentIps.push(ip) > 50) recentIps.shift();

    const attack = makeLabel('scanner', ip, 'scanner');
    const recon = makeLabel('scanner', ip);
    const labels = new Map<string, DemoLabel>([['scanner', attack]]);
    const labelFor = (probe: Probe): DemoLabel => {
      let label = labels.get(probe.category);
      if (!label) labels.set(probe.category, (label = makeLabel('scanner', ip, probe.category)));
      return label;
    };
    const protocol = profile === 'census' && userAgent === TOOL_AGENTS.masscan ? 'HTTP/1.0' : 'HTTP/1.1';
    let time = start;
    const hit = (method: string, target: string, status: number, bytes: number, label: DemoLabel): Hit => ({
      time,
      method,
      target,
      protocol,
      status,
      bytes,
      referer: '-',
      userAgent,
      label,
    });

    if (profile === 'census' || profile === 'nikto' || rng.chance(0.3)) {
      yield hit('GET', '/', 200, rng.int(21_000, 23_000), recon);
      time += rng.exponential(gapMs);
      if (profile === 'census' && rng.chance(0.15)) {
        yield {
          ...hit('', '', 400, NGINX_400, labelFor({ method: '', target: '', category: 'protocol' })),
          rawRequest: TLS_HANDSHAKE,
          userAgent: '-',
        };
        time += rng.exponential(gapMs);
      }
      if (rng.chance(0.4)) {
        yield hit('GET', rng.pick(RECON_PATHS.slice(1)), 200, rng.int(300, 15_000), recon);
        time += rng.exponential(gapMs);
      }
    }
    // Some come back a few minutes later with a second, similar burst (recurrence), the first one short enough
    // that only the fast probing bucket overflowed and has drained by then.
    const returns = profile === 'env_hunter' && (forced !== undefined || rng.chance(0.4));
    const bursts = returns ? 2 : 1;
    for (let b = 0; b < bursts; b++) {
      if (b > 0) time += rng.between(180_000, 360_000);
      const n = returns ? rng.int(12, 14) : probes;
      for (let i = 0; i < n; i++) {
        const probe = pickProbe();
        const [status, bytes] = answer(rng, probe);
        yield hit(
          probe.method,
          probe.target,
          status,
          bytes,
          probe.category === 'scanner' ? attack : labelFor(probe),
        );
        time += rng.exponential(gapMs) + 5;
      }
    }
  }

  return {
    actor: 'scanner',
    meanLines: 38,
    session: (start) => session(start),
    opening: (start) => session(start, 'env_hunter'),
  };
}
