/**
 * Hosting networks: an AS organisation that rents servers (clouds, VPS and dedicated hosts, CDNs' compute). Clients
 * from them are scripts far more often than people, which is why the radar compares an IP with the windows of
 * datacenter clients as well as with benign browsers. A short hand-written list of the large providers plus generic
 * words (hosting, server, cloud, data center); a heuristic on a name, not a registry.
 */
const PROVIDERS = [
  'amazon',
  'aws',
  'google cloud',
  'google llc',
  'microsoft',
  'azure',
  'digitalocean',
  'ovh',
  'hetzner',
  'linode',
  'akamai',
  'vultr',
  'choopa',
  'contabo',
  'leaseweb',
  'alibaba',
  'tencent',
  'oracle',
  'scaleway',
  'online s.a.s',
  'ionos',
  'hostinger',
  'm247',
  'datacamp',
  'cloudflare',
  'fastly',
  'upcloud',
  'kamatera',
  'colocrossing',
  'psychz',
  'servers.com',
  'quadranet',
];

const GENERIC = /\b(?:hosting|hoster|server|servers|cloud|data ?cent(?:er|re)|colo(?:cation)?|vps|dedicated)\b/;

export function isHostingNetwork(asOrg: string | null | undefined): boolean {
  if (!asOrg) return false;
  const org = (asOrg.length > 200 ? asOrg.slice(0, 200) : asOrg).toLowerCase();
  return PROVIDERS.some((p) => org.includes(p)) || GENERIC.test(org);
}
