/**
 * `rampart lookup <ioc…>`: the same lookup as GET /api/lookup, in-process: GeoIP for addresses, every
 * configured provider (skipped without a key), the risk. Needs no server and no store.
 */
import type { Command } from 'commander';
import { MAX_BULK, type BulkItem, type EnrichmentResult } from '../enrich/index.js';
import { openEnrichment } from '../runtime/index.js';
import { cliCache } from './cache.js';
import { addConfigFlag, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

interface LookupFlags extends CommonFlags {
  json?: boolean;
  debug?: boolean;
}

export function registerLookup(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('lookup')
    .description('look indicators up: GeoIP/ASN for addresses, AbuseIPDB, VirusTotal, OTX (with keys), risk score')
    .argument('<iocs...>', `IPv4/IPv6, CIDR, domain, URL, MD5/SHA-1/SHA-256, email (at most ${MAX_BULK})`)
    .option('--json', 'print the normalised results as JSON')
    .option('--debug', "include each provider's raw answer (with --json)")
    .addHelpText(
      'after',
      '\nKeys: ABUSEIPDB_API_KEY, VIRUSTOTAL_API_KEY, OTX_API_KEY (providers without one are skipped).\n' +
        'GeoIP: the shipped GeoLite2 City + ASN data, or GEOIP_CITY_DB / GEOIP_ASN_DB / GEOIP_COUNTRY_DB.\n' +
        'Exit status: 0 when every indicator was looked up, 2 when one was not an indicator.\n',
    );
  addConfigFlag(cmd);
  cmd.action(async (iocs: string[], flags: LookupFlags) => {
    const { config } = loadWithFlags(flags, io);
    if (iocs.length > MAX_BULK) {
      io.err(`rampart lookup: at most ${MAX_BULK} indicators at a time, got ${iocs.length}\n`);
      setExit(2);
      return;
    }
    const enrichment = await openEnrichment(config, (m) => io.err(`warning: ${m}\n`), { diskCache: cliCache(io) });
    try {
      const items = await enrichment.service.bulk(iocs, { debug: flags.debug === true });
      if (flags.json) io.out(JSON.stringify(items.length === 1 ? items[0] : items, null, 2) + '\n');
      else io.out(items.map(renderItem).join('\n'));
      setExit(items.some((i) => 'error' in i) ? 2 : 0);
    } finally {
      await enrichment.close();
    }
  });
}

export function renderItem(item: BulkItem): string {
  if ('error' in item) return `${item.ioc}\n  error: ${item.error}\n`;
  return renderResult(item);
}

function renderResult(r: EnrichmentResult): string {
  const lines = [`${r.ioc} (${r.type})`];
  if (r.geo) {
    const g = r.geo;
    if (g.kind !== 'public') lines.push(`  address: ${g.kind}, not looked up`);
    else {
      const place = [g.city, g.subdivision, g.country ? `${g.country.name ?? g.country.iso} (${g.country.iso})` : undefined].filter(Boolean).join(', ');
      lines.push(`  geo:     ${place || 'unknown'}${g.location ? ` [${g.location.lat.toFixed(4)}, ${g.location.lon.toFixed(4)}]` : ''}`);
      lines.push(`  network: ${g.asn ? `AS${g.asn.number}${g.asn.org ? ` ${g.asn.org}` : ''}` : 'unknown ASN'}${g.network ? ` (${g.network})` : ''}`);
    }
  }
  for (const s of r.sources) {
    const detail = s.status === 'ok' ? summarise(s.data) : (s.error ?? '');
    lines.push(`  ${s.source.padEnd(11)} ${s.status.padEnd(7)} ${detail}${s.cached ? ' (cached)' : ''}`);
  }
  lines.push(`  risk:    ${r.risk_score}/100 ${r.risk_level}${r.categories.length ? ` [${r.categories.join(', ')}]` : ''}`);
  return lines.join('\n') + '\n';
}

/** A few telling fields of a provider's normalised data, for the text view. */
function summarise(data: Record<string, unknown> | null): string {
  if (!data) return '';
  const keys = ['abuse_confidence', 'total_reports', 'malicious', 'suspicious', 'reputation', 'pulse_count', 'found'];
  return keys.filter((k) => data[k] !== undefined).map((k) => `${k}=${JSON.stringify(data[k])}`).join(' ');
}
