/**
 * SiteTable: the bounded knowledge of one site: evidence per path (least recently used evicted), the body sizes its
 * sensitive-named answers share (a catch-all page answering 200 for any name is not content), and for a log without
 * hosts the site's own host name, learned as the dominant Referer host; and which server-side script families
 * (PHP, ASP.NET, ...) it has served to anyone.
 */
import { PathEvidence, type PathEvidenceJson } from './path-evidence.js';
import { SCRIPT_FAMILIES, type ScriptFamily } from './script-families.js';

/** Distinct sensitive paths answered with one exact body size before that size is the site's catch-all page. */
export const CATCH_ALL_PATHS = 3;
/** Body sizes tracked for the catch-all test, and path hashes per size. */
const MAX_SIZES = 128;
/** Referer hosts counted at once (Misra-Gries heavy hitters: a bounded map that keeps the dominant ones). */
const MAX_REFERER_HOSTS = 16;
/** Sampled referer hosts the leader needs before it is taken for the site's own host. */
const MIN_OWN_HOST_COUNT = 8;

export interface SiteTableJson {
  paths: [string, PathEvidenceJson][];
  sizes: [number, number[]][];
  refHosts: [string, number][];
  /** Script families served (absent in snapshots older than this field). */
  scripts?: ScriptFamily[];
}

export class SiteTable {
  readonly paths = new Map<string, PathEvidence>();
  private readonly sizes = new Map<number, number[]>();
  private readonly refHosts = new Map<string, number>();
  private readonly scripts = new Set<ScriptFamily>();

  constructor(
    readonly site: string,
    private readonly maxPaths: number,
  ) {}

  /** The path's evidence, made most recently used; created (evicting the least recently used) when `create`. */
  evidence(path: string, create: boolean): PathEvidence | undefined {
    let ev = this.paths.get(path);
    if (ev !== undefined) {
      this.paths.delete(path);
      this.paths.set(path, ev);
      return ev;
    }
    if (!create) return undefined;
    if (this.paths.size >= this.maxPaths) this.paths.delete(this.paths.keys().next().value as string);
    ev = new PathEvidence();
    this.paths.set(path, ev);
    return ev;
  }

  peek(path: string): PathEvidence | undefined {
    return this.paths.get(path);
  }

  /** A served body of `size` bytes for the sensitive-named path whose hash is `pathHash`. */
  noteSize(size: number, pathHash: number): void {
    let hashes = this.sizes.get(size);
    if (hashes === undefined) {
      if (this.sizes.size >= MAX_SIZES) this.sizes.delete(this.sizes.keys().next().value as number);
      hashes = [];
      this.sizes.set(size, hashes);
    }
    if (hashes.length < CATCH_ALL_PATHS && !hashes.includes(pathHash)) hashes.push(pathHash);
  }

  /** How many distinct sensitive names were answered with this exact size, when that makes it a catch-all; else 0. */
  catchAllPaths(size: number): number {
    const n = this.sizes.get(size)?.length ?? 0;
    return n >= CATCH_ALL_PATHS ? n : 0;
  }

  noteServedScript(family: ScriptFamily): void {
    this.scripts.add(family);
  }

  servesScript(family: ScriptFamily): boolean {
    return this.scripts.has(family);
  }

  noteRefererHost(host: string): void {
    const n = this.refHosts.get(host);
    if (n !== undefined) this.refHosts.set(host, n + 1);
    else if (this.refHosts.size < MAX_REFERER_HOSTS) this.refHosts.set(host, 1);
    else {
      for (const [h, c] of this.refHosts) {
        if (c <= 1) this.refHosts.delete(h);
        else this.refHosts.set(h, c - 1);
      }
    }
  }

  /** The dominant Referer host once it has been seen often enough; null before. */
  ownHost(): string | null {
    let best: string | null = null;
    let bestN = MIN_OWN_HOST_COUNT - 1;
    for (const [h, n] of this.refHosts) if (n > bestN) [best, bestN] = [h, n];
    return best;
  }

  toJSON(): SiteTableJson {
    return {
      paths: [...this.paths].map(([p, ev]) => [p, ev.toJSON()]),
      sizes: [...this.sizes],
      refHosts: [...this.refHosts],
      scripts: [...this.scripts],
    };
  }

  /** Restores a snapshot into this table; malformed entries are skipped, caps still hold. */
  restore(j: unknown): void {
    if (typeof j !== 'object' || j === null) return;
    const o = j as Partial<Record<keyof SiteTableJson, unknown>>;
    for (const entry of pairs(o.paths)) {
      const [p, raw] = entry;
      // A path already learned since start-up keeps its fresher evidence.
      if (typeof p !== 'string' || p.length > 512 || this.paths.has(p)) continue;
      const ev = PathEvidence.fromJSON(raw);
      if (ev === null) continue;
      if (this.paths.size >= this.maxPaths) this.paths.delete(this.paths.keys().next().value as string);
      this.paths.set(p, ev);
    }
    for (const [size, hashes] of pairs(o.sizes)) {
      if (!Number.isInteger(size) || !Array.isArray(hashes)) continue;
      for (const h of hashes.slice(0, CATCH_ALL_PATHS)) if (Number.isInteger(h)) this.noteSize(size as number, h as number);
    }
    for (const [host, n] of pairs(o.refHosts).slice(0, MAX_REFERER_HOSTS)) {
      if (typeof host === 'string' && host.length <= 253 && Number.isInteger(n) && (n as number) > 0) this.refHosts.set(host, n as number);
    }
    if (Array.isArray(o.scripts)) for (const f of o.scripts) if ((SCRIPT_FAMILIES as readonly unknown[]).includes(f)) this.scripts.add(f as ScriptFamily);
  }
}

function pairs(v: unknown): [unknown, unknown][] {
  return Array.isArray(v) ? v.filter((e): e is [unknown, unknown] => Array.isArray(e) && e.length === 2) : [];
}
