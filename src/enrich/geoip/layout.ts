/**
 * Maps one mmdb record to GeoResult fields. Two layouts are understood:
 * - nested GeoIP2 (MaxMind City/Country/ASN): country.iso_code, country.names.en, city.names.en,
 *   subdivisions[0].names.en, location.latitude/longitude/accuracy_radius, autonomous_system_number,
 *   autonomous_system_organization;
 * - flat ip-location-db (geolite2-city-mmdb, dbip-city-mmdb, asn-mmdb): country_code, state1, city,
 *   latitude, longitude, and for ASN files autonomous_system_number / as_number and
 *   autonomous_system_organization / as_organization.
 */
import type { GeoResult } from './types.js';

type Rec = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);
const name = (v: unknown): string | undefined => str(obj(obj(v)?.names)?.en);

// The flat layout carries ISO codes only; English names come from ICU (full ICU ships with Node 20).
// Made on first use: loading ICU's region data costs tens of milliseconds at import time.
let regionNames: Intl.DisplayNames | undefined;

/** English name of an ISO 3166-1 alpha-2 code, or undefined for codes ICU does not know (e.g. `ZZ`). */
export function countryName(iso: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(iso)) return undefined;
  try {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    return regionNames.of(iso) ?? undefined;
  } catch {
    return undefined;
  }
}

type GeoFields = Pick<GeoResult, 'country' | 'subdivision' | 'city' | 'location' | 'asn'>;

export function fromRecord(rec: Rec): GeoFields {
  const out: GeoFields = {};
  const country = obj(rec.country) ?? obj(rec.registered_country);
  const iso = str(country?.iso_code) ?? str(rec.country_code);
  if (iso) {
    const countryLabel = name(country) ?? countryName(iso);
    out.country = { iso, ...(countryLabel ? { name: countryLabel } : {}) };
  }
  const city = name(rec.city) ?? str(rec.city);
  if (city) out.city = city;
  const subs = rec.subdivisions;
  const sub = (Array.isArray(subs) ? name(subs[0]) : undefined) ?? str(rec.state1);
  if (sub) out.subdivision = sub;
  const loc = obj(rec.location);
  const lat = num(loc?.latitude) ?? num(rec.latitude);
  const lon = num(loc?.longitude) ?? num(rec.longitude);
  if (lat !== undefined && lon !== undefined) {
    const acc = num(loc?.accuracy_radius);
    out.location = { lat, lon, ...(acc !== undefined ? { accuracyKm: acc } : {}) };
  }
  const asn = num(rec.autonomous_system_number) ?? num(rec.as_number);
  if (asn !== undefined) {
    const org = str(rec.autonomous_system_organization) ?? str(rec.as_organization);
    out.asn = { number: asn, ...(org ? { org } : {}) };
  }
  return out;
}
