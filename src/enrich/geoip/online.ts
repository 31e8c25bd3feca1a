/**
 * Optional online GeoIP in the ip-api.com shape (`GET {base}/json/{ip}`). Off by default: it sends
 * client addresses to a third party. Rate-limited locally to the free tier (45 requests/minute) and
 * to the service's own X-Rl / X-Ttl headers; when the budget is spent it answers without geography
 * rather than waiting.
 */
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { GeoLookup, GeoResult } from './types.js';

export interface OnlineGeoOptions {
  baseUrl?: string;
  perMinute?: number;
  timeoutMs?: number;
  userAgent?: string;
  dispatcher?: Dispatcher;
  now?: () => number;
  onWarning?: (message: string) => void;
}

interface IpApiBody {
  status?: string;
  message?: string;
  country?: string;
  countryCode?: string;
  regionName?: string;
  city?: string;
  lat?: number;
  lon?: number;
  as?: string;
  org?: string;
  isp?: string;
}

const FIELDS = 'status,message,country,countryCode,regionName,city,lat,lon,as,org,isp,query';

export class OnlineGeoLookup {
  private readonly base: string;
  private windowStart = 0;
  private used = 0;
  private blockedUntil = 0;

  constructor(private readonly opts: OnlineGeoOptions = {}) {
    this.base = (opts.baseUrl ?? 'http://ip-api.com').replace(/\/+$/, '');
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private take(): boolean {
    const now = this.now();
    if (now < this.blockedUntil) return false;
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used >= (this.opts.perMinute ?? 45)) return false;
    this.used++;
    return true;
  }

  /** Fills geography into `base` (a public address's local result); returns it unchanged when it cannot. */
  async enrich(base: GeoResult): Promise<GeoResult> {
    if (base.kind !== 'public' || !this.take()) return base;
    try {
      const res = await request(`${this.base}/json/${encodeURIComponent(base.ip)}?fields=${FIELDS}`, {
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': this.opts.userAgent ?? 'Rampart' },
        headersTimeout: this.opts.timeoutMs ?? 3000,
        bodyTimeout: this.opts.timeoutMs ?? 3000,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 3000),
        ...(this.opts.dispatcher ? { dispatcher: this.opts.dispatcher } : {}),
      });
      const remaining = Number(res.headers['x-rl']);
      const ttl = Number(res.headers['x-ttl']);
      if ((res.statusCode === 429 || remaining === 0) && Number.isFinite(ttl)) this.blockedUntil = this.now() + ttl * 1000;
      if (res.statusCode !== 200) {
        await res.body.dump();
        this.opts.onWarning?.(`online geoip ${base.ip}: HTTP ${res.statusCode}`);
        return base;
      }
      const body = (await res.body.json()) as IpApiBody;
      if (body.status !== 'success') return base;
      return { ...base, ...fromIpApi(body), source: 'online' };
    } catch (e) {
      this.opts.onWarning?.(`online geoip ${base.ip}: ${(e as Error).message}`);
      return base;
    }
  }
}

function fromIpApi(b: IpApiBody): Partial<GeoResult> {
  const out: Partial<GeoResult> = {};
  if (b.countryCode) out.country = { iso: b.countryCode, ...(b.country ? { name: b.country } : {}) };
  if (b.regionName) out.subdivision = b.regionName;
  if (b.city) out.city = b.city;
  if (typeof b.lat === 'number' && typeof b.lon === 'number') out.location = { lat: b.lat, lon: b.lon };
  const m = /^AS(\d+)\s*(.*)$/.exec(b.as ?? '');
  if (m) out.asn = { number: Number(m[1]), ...(m[2] || b.org ? { org: m[2] || b.org } : {}) };
  return out;
}

/** Local first; the online service only fills what the local data lacked. */
export class FallbackGeoLookup implements GeoLookup {
  constructor(
    readonly local: GeoLookup,
    private readonly online: OnlineGeoLookup,
  ) {}

  databases() {
    return this.local.databases?.() ?? [];
  }

  async lookup(ip: string): Promise<GeoResult> {
    const base = await this.local.lookup(ip);
    if (base.kind !== 'public' || (base.country && base.asn)) return base;
    // What the local files said wins; the online answer only fills the gaps.
    return { ...(await this.online.enrich(base)), ...stripUndefined(base) };
  }
}

function stripUndefined(r: GeoResult): Partial<GeoResult> {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
}
