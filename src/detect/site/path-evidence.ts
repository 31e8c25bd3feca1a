/**
 * PathEvidence: what one site's answers to one path add up to, and the judgement of it. Plain numbers and a small
 * array of client hashes, so it snapshots to JSON and back.
 */
import type { ContentVerdict, ResolvedSiteOptions } from './types.js';

/** Distinct client hashes kept per path: beyond this the count stops (it is far above any threshold). */
export const MAX_CLIENTS = 64;
/** A body shorter than this is not evidence of a real file (an empty 200, a redirect stub). */
export const MIN_BODY = 16;
/** Two 200 answers are one file when the larger is within this factor of the smaller (compression, small edits). */
const SIZE_TOLERANCE = 1.35;

export interface PathEvidenceJson {
  /** Hashes of distinct clients served. */
  c: number[];
  /** Served answers (2xx, 304). */
  s: number;
  /** Reference body size of a 200 (first one with a real body), 0 when none yet. */
  z: number;
  /** 200 answers within tolerance of the reference, and outside it. */
  zh: number;
  zm: number;
  /** Served answers whose Referer is a page of the same site. */
  r: number;
  /** Served answers to verified good bots. */
  b: number;
  /** Answers that were not served (4xx, 5xx). */
  m: number;
  /** Event times of the first and last observation. */
  f: number;
  l: number;
  /** The once-per-path exposed-file finding was reported. */
  x?: 1;
}

export interface Served {
  clientHash: number;
  status: number;
  bytes: number;
  ownReferer: boolean;
  verifiedBot: boolean;
  time: number;
}

export class PathEvidence {
  clients: number[] = [];
  served = 0;
  refSize = 0;
  sizeHits = 0;
  sizeMisses = 0;
  ownRefs = 0;
  botServed = 0;
  misses = 0;
  first = 0;
  last = 0;
  exposedReported = false;

  observe(o: Served, served: boolean): void {
    if (this.first === 0) this.first = o.time;
    if (o.time > this.last) this.last = o.time;
    if (!served) {
      this.misses++;
      return;
    }
    this.served++;
    if (this.clients.length < MAX_CLIENTS && !this.clients.includes(o.clientHash)) this.clients.push(o.clientHash);
    if (o.ownReferer) this.ownRefs++;
    if (o.verifiedBot) this.botServed++;
    if (o.status === 200 && o.bytes >= MIN_BODY) {
      if (this.refSize === 0) {
        this.refSize = o.bytes;
        this.sizeHits++;
      } else if (sameSize(this.refSize, o.bytes)) this.sizeHits++;
      else this.sizeMisses++;
    }
  }

  /** Content when served with consistent sizes to enough distinct clients (fewer when the site links to it). */
  judge(opts: ResolvedSiteOptions, catchAllPaths: number): ContentVerdict {
    const n = this.clients.length;
    if (this.served === 0) return { known: false, reason: `never served (${this.misses} misses)` };
    if (this.refSize === 0) return { known: false, reason: `served ${this.served} times, never a 200 with a body` };
    if (catchAllPaths > 0) {
      return { known: false, reason: `its ${this.refSize}-byte answer is the site's catch-all page (served for ${catchAllPaths} different sensitive names)` };
    }
    if (this.sizeHits < 2 * this.sizeMisses) {
      return { known: false, reason: `served 200 to ${plural(n, 'client')} with inconsistent sizes (${this.sizeHits} alike, ${this.sizeMisses} not)` };
    }
    const referenced = this.ownRefs > 0 || this.botServed > 0;
    const known = n >= opts.minClients || (referenced && n >= opts.minClientsWithReference);
    const why = [`served 200 to ${plural(n, 'client')}${n >= MAX_CLIENTS ? ' or more' : ''}`];
    if (this.ownRefs > 0) why.push(`linked from the site's own pages ${plural(this.ownRefs, 'time')}`);
    if (this.botServed > 0) why.push(`fetched by verified good bots ${plural(this.botServed, 'time')}`);
    return { known, reason: `${known ? 'known content' : 'not known yet'}: ${why.join(', ')}` };
  }

  toJSON(): PathEvidenceJson {
    const j: PathEvidenceJson = { c: this.clients, s: this.served, z: this.refSize, zh: this.sizeHits, zm: this.sizeMisses, r: this.ownRefs, b: this.botServed, m: this.misses, f: this.first, l: this.last };
    if (this.exposedReported) j.x = 1;
    return j;
  }

  /** From a stored snapshot; every field checked and bounded (the store is not trusted to hold what we wrote). */
  static fromJSON(j: unknown): PathEvidence | null {
    if (typeof j !== 'object' || j === null) return null;
    const o = j as Record<string, unknown>;
    const p = new PathEvidence();
    const nums = ['s', 'z', 'zh', 'zm', 'r', 'b', 'm', 'f', 'l'] as const;
    for (const k of nums) if (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || (o[k] as number) < 0) return null;
    if (!Array.isArray(o.c)) return null;
    p.clients = o.c.filter((h): h is number => Number.isInteger(h)).slice(0, MAX_CLIENTS);
    p.served = o.s as number;
    p.refSize = o.z as number;
    p.sizeHits = o.zh as number;
    p.sizeMisses = o.zm as number;
    p.ownRefs = o.r as number;
    p.botServed = o.b as number;
    p.misses = o.m as number;
    p.first = o.f as number;
    p.last = o.l as number;
    p.exposedReported = o.x === 1;
    return p;
  }
}

export function sameSize(a: number, b: number): boolean {
  return a <= b ? b <= a * SIZE_TOLERANCE : a <= b * SIZE_TOLERANCE;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
