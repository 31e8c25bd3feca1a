/**
 * GeoIP on the shipped databases: `node --expose-gc --import tsx src/enrich/geoip/shipped.bench.ts`.
 * Measures what `serve` pays at start-up (time and resident memory to open the GeoLite2 City pair
 * and build the ASN range table from CSV), then lookups/s on one core: uncached (LRU off, distinct
 * public addresses) and cached (LRU on, a hot set of 10,000). Random addresses are drawn from the
 * ASN table's ranges so that they are routed, as attackers' addresses are.
 */
import { openAsnCsv } from './asn-csv.js';
import { bundledGeoFiles } from './bundled.js';
import { LocalGeoLookup } from './local.js';
import { openMmdb } from './mmdb-source.js';

const mb = (n: number) => Math.round(n / 1048576);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function rate(n: number, fn: (i: number) => void): { wall: number; cpu: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const wall = (performance.now() - t) / 1000;
  const u = process.cpuUsage(c);
  return { wall: Math.round(n / wall), cpu: Math.round(n / ((u.user + u.system) / 1e6)) };
}

async function main(): Promise<void> {
  const files = bundledGeoFiles();
  if (!files.cityFiles.length || !files.asnFiles.length) throw new Error('the @ip-location-db packages are not installed');
  gc();
  const rss0 = process.memoryUsage().rss;
  let t = performance.now();
  const city = await Promise.all(files.cityFiles.map((f) => openMmdb(f, 'geo')));
  const cityMs = performance.now() - t;
  gc();
  const rss1 = process.memoryUsage().rss;
  t = performance.now();
  const asn = [];
  for (const f of files.asnFiles) asn.push(await openAsnCsv(f));
  const asnMs = performance.now() - t;
  gc();
  const rss2 = process.memoryUsage().rss;
  console.log('databases:', [...city, ...asn].map((s) => s.info));
  console.log(`open City mmdb pair: ${cityMs.toFixed(0)} ms, +${mb(rss1 - rss0)} MiB RSS`);
  console.log(`build ASN table from CSV: ${asnMs.toFixed(0)} ms, +${mb(rss2 - rss1)} MiB RSS (after GC)`);
  console.log(`total RSS ${mb(rss2)} MiB, heap used ${mb(process.memoryUsage().heapUsed)} MiB`);

  // Routed public IPv4 addresses, deterministic.
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const ips: string[] = [];
  while (ips.length < 200_000) {
    const v = (next() * 2 + (next() & 1)) >>> 0;
    const ip = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    ips.push(ip);
  }
  const sources = [...city, ...asn];
  const uncached = new LocalGeoLookup(sources, { cacheSize: 0 });
  let sink = 0;
  const work = (l: LocalGeoLookup, ip: string) => {
    const r = l.lookupSync(ip);
    sink += (r.location?.lat ?? 0) + (r.asn?.number ?? 0);
  };
  rate(50_000, (i) => work(uncached, ips[i]!)); // JIT warm-up
  const u = rate(200_000, (i) => work(uncached, ips[i]!));
  const hot = ips.slice(0, 10_000);
  const cached = new LocalGeoLookup(sources, { cacheSize: 20_000 });
  for (const ip of hot) cached.lookupSync(ip);
  const c = rate(2_000_000, (i) => work(cached, hot[i % hot.length]!));
  const found = ips.slice(0, 10_000).map((ip) => uncached.lookupSync(ip));
  console.log(`uncached: ${u.wall.toLocaleString('en')} lookups/s wall, ${u.cpu.toLocaleString('en')}/s per CPU second`);
  console.log(`cached:   ${c.wall.toLocaleString('en')} lookups/s wall, ${c.cpu.toLocaleString('en')}/s per CPU second`);
  console.log(
    `of 10,000 random IPv4: ${found.filter((r) => r.kind === 'public').length} public, ` +
      `${found.filter((r) => r.country).length} with a country, ${found.filter((r) => r.asn).length} with an ASN`,
  );
  console.log('sample:', uncached.lookupSync('81.2.69.160'), uncached.lookupSync('2a00:1450:4001:80b::200e'));
  if (Number.isNaN(sink)) throw new Error('unreachable');
}

await main();
