/**
 * What each site (host) serves as sub-resources, learned online from browsers, so that "static" is not decided by
 * file extension alone (the top cause of false crawl bans in a peer: extension-less thumbnails and JSON APIs).
 *
 * Evidence, per path family (see familyHash):
 * - a sub-resource vote: a browser fetched a path of this family with the referer of the page it loaded just
 *   before (within subresourceGapMs). Voters are counted as distinct IPs (32-bit bitmap of IP hashes), so one
 *   client cannot teach the site alone.
 * - a document vote: the family was itself that referring page. Pages that a fast click reaches also collect
 *   sub-resource votes; their own sub-resources then mark them as documents, which vetoes the asset verdict.
 * A family is an asset when it has at least minVoters distinct voters and fewer document votes than voters.
 *
 * Bounded: at most maxHosts hosts and maxFamiliesPerHost families each; when full, the oldest-inserted quarter goes.
 */
import { popcount32 } from './sketch.js';

const VOTERS_SPAN = 2 ** 32;
const MAX_DOC_VOTES = 0xffff;
const MAX_HOST_KEY = 253;

export interface HostProfile {
  /** familyHash → documentVotes·2^32 + voter bitmap (one number keeps the map small). */
  readonly families: Map<number, number>;
  /** Asset requests (by any rule) from browser-like clients, saturating: does this site's audience fetch sub-resources? */
  assetSightings: number;
  /** Families currently judged assets; lookups are skipped while 0. */
  learned: number;
}

export class SiteAssets {
  private readonly hosts = new Map<string, HostProfile>();
  // Last host asked for and its profile: consecutive log lines are almost always for the same site, and a string
  // comparison is cheaper than hashing a fresh host string for the Map. Replaced whenever a profile is created,
  // which is also the only time profiles are evicted, so it never points at an evicted profile.
  private lastHost: string | null = null;
  private lastProfile: HostProfile | undefined;

  constructor(
    private readonly minVoters: number,
    private readonly maxHosts: number,
    private readonly maxFamiliesPerHost: number,
  ) {}

  get hostCount(): number {
    return this.hosts.size;
  }

  get familyCount(): number {
    let n = 0;
    for (const h of this.hosts.values()) n += h.families.size;
    return n;
  }

  /** The profile for `host` ('' when the log has no host), created on demand within the host cap. */
  profile(host: string | null): HostProfile {
    if (host === this.lastHost && this.lastProfile !== undefined) return this.lastProfile;
    const key = host === null ? '' : host.length > MAX_HOST_KEY ? host.slice(0, MAX_HOST_KEY) : host;
    let p = this.hosts.get(key);
    if (p === undefined) {
      if (this.hosts.size >= this.maxHosts) evictOldestQuarter(this.hosts);
      p = { families: new Map(), assetSightings: 0, learned: 0 };
      this.hosts.set(key, p);
    }
    this.lastHost = host;
    this.lastProfile = p;
    return p;
  }

  isAsset(p: HostProfile, family: number): boolean {
    if (p.learned === 0) return false;
    const v = p.families.get(family);
    return v !== undefined && this.judge(v);
  }

  voteSubresource(p: HostProfile, family: number, voterHash: number): void {
    const v = p.families.get(family) ?? this.insert(p, family);
    const voters = v % VOTERS_SPAN;
    const docs = Math.floor(v / VOTERS_SPAN);
    this.update(p, family, v, docs * VOTERS_SPAN + ((voters | (1 << (voterHash & 31))) >>> 0));
  }

  voteDocument(p: HostProfile, family: number): void {
    const v = p.families.get(family) ?? this.insert(p, family);
    const voters = v % VOTERS_SPAN;
    const docs = Math.min(MAX_DOC_VOTES, Math.floor(v / VOTERS_SPAN) + 1);
    this.update(p, family, v, docs * VOTERS_SPAN + voters);
  }

  private judge(v: number): boolean {
    const voters = popcount32(v % VOTERS_SPAN);
    return voters >= this.minVoters && Math.floor(v / VOTERS_SPAN) < voters;
  }

  private insert(p: HostProfile, family: number): number {
    if (p.families.size >= this.maxFamiliesPerHost) {
      evictOldestQuarter(p.families, (v) => {
        if (this.judge(v)) p.learned--;
      });
    }
    p.families.set(family, 0);
    return 0;
  }

  private update(p: HostProfile, family: number, before: number, after: number): void {
    const was = this.judge(before);
    const is = this.judge(after);
    if (was !== is) p.learned += is ? 1 : -1;
    p.families.set(family, after);
  }
}

/**
 * Drops the oldest quarter of a Map in one pass. Evicting one key per insert from the front of a Map is quadratic
 * in V8 (deleted entries stay as holes that every `keys().next()` skips until the table is rebuilt).
 */
function evictOldestQuarter<K, V>(map: Map<K, V>, onEvict?: (value: V) => void): void {
  let n = Math.max(1, Math.floor(map.size / 4));
  for (const [k, v] of map) {
    if (n-- === 0) break;
    onEvict?.(v);
    map.delete(k);
  }
}
