/**
 * Annotation: after detection, each threat gets its source's geography and network from the local
 * GeoIP/ASN databases. Synchronous on purpose: an in-memory lookup (mmdb tree walk or range bisection,
 * LRU in front) costs microseconds, and only threats are annotated, never every request. Anything that
 * needs the network (reputation) stays with the collector, off the hot path.
 */
import type { ThreatEvent, ThreatGeo } from '../core/index.js';
import type { GeoResult, SyncGeoLookup } from '../enrich/index.js';

export type Annotator = (threats: readonly ThreatEvent[]) => void;

export function toThreatGeo(r: GeoResult): ThreatGeo {
  const geo: ThreatGeo = { kind: r.kind };
  if (r.country) {
    geo.country = r.country.iso;
    if (r.country.name) geo.countryName = r.country.name;
  }
  if (r.city) geo.city = r.city;
  if (r.location) {
    geo.lat = r.location.lat;
    geo.lon = r.location.lon;
  }
  if (r.asn) {
    geo.asn = r.asn.number;
    if (r.asn.org) geo.asOrg = r.asn.org;
  }
  return geo;
}

/** Sets `geo` on every threat; a source IP that is not an address (a logged host name) is left bare. */
export function geoAnnotator(geo: SyncGeoLookup): Annotator {
  return (threats) => {
    for (const t of threats) {
      if (t.geo) continue;
      try {
        t.geo = toThreatGeo(geo.lookupSync(t.event.ip));
      } catch {
        // Not an IP (Apache HostnameLookups): nothing to say about where it is.
      }
    }
  };
}
