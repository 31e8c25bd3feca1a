/**
 * Resource cascades: per page view of an IP, the sub-resources that followed it (the signal behind headless
 * detection: a browser fetches a page's stylesheets, scripts and images right after it; a script reading pages does
 * not). Pure: the batch writer passes the requests the batch added, in log order.
 *
 * A page view is a GET or HEAD answered 2xx/3xx whose path is not an asset nor an API call; an asset is a request with a static
 * extension (DEFAULT_ASSET_EXTENSIONS, as behaviour detection reads them) or answered 304/206. An asset belongs to the
 * IP's latest page view when it comes at most CASCADE_GAP_MS after that page view's latest request; assets of an IP
 * before its first page view in the batch are handed back as `leading`, for the page view stored by an earlier batch.
 * This is a simpler reading than the detector's (which also learns each site's own asset paths): what the analyst sees
 * is the raw cascade.
 */
import type { HttpEvent } from '../core/index.js';
import { DEFAULT_ASSET_EXTENSIONS, isApiPath } from '../detect/index.js';
import { boundHost } from './behaviour-aggregates.js';
import { ip as boundIp, text } from './sanitize.js';

export const CASCADE_GAP_MS = 10_000;
/**
 * Page views kept per IP and hour (the first ones: a sample is what the headless signal needs, and a crawler reading
 * thousands of pages an hour would otherwise add a row each), and per IP in the table (older ones are trimmed).
 */
export const CASCADE_PAGES_PER_HOUR = 10;
export const CASCADE_PAGES_PER_IP = 50;
export const MAX_SUB_PATHS = 8;
const MAX_PATH = 200;

const ASSET_EXTENSIONS = new Set<string>(DEFAULT_ASSET_EXTENSIONS);

export interface PageView {
  ip: string;
  time: number;
  id: string;
  host: string | null;
  path: string;
  status: number;
  subCount: number;
  subPaths: string[];
  lastTime: number;
}

export interface LeadingAssets {
  ip: string;
  firstTime: number;
  lastTime: number;
  count: number;
  paths: string[];
}

export interface BatchCascades {
  pages: PageView[];
  leading: LeadingAssets[];
}

export function extensionOf(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash || path.length - dot > 10) return '';
  return path.slice(dot).toLowerCase();
}

export function isAsset(e: Pick<HttpEvent, 'path' | 'status'>): boolean {
  return e.status === 304 || e.status === 206 || ASSET_EXTENSIONS.has(extensionOf(e.path));
}

/** A single-page app's API calls are no page views (behaviour detection's isApiPath: `/api/`, `/token`). */
export function isPageView(e: Pick<HttpEvent, 'path' | 'status' | 'method'>): boolean {
  return (e.method === 'GET' || e.method === 'HEAD') && e.status >= 200 && e.status < 400 && !isAsset(e) && !isApiPath(e.path);
}

const bounded = (path: string): string => text(path.length > MAX_PATH ? path.slice(0, MAX_PATH) : path);

export function cascades(events: Iterable<HttpEvent>): BatchCascades {
  const byIp = new Map<string, HttpEvent[]>();
  for (const e of events) {
    if (!Number.isFinite(e.time)) continue;
    const key = boundIp(e.ip);
    let list = byIp.get(key);
    if (!list) byIp.set(key, (list = []));
    list.push(e);
  }
  const pages: PageView[] = [];
  const leading: LeadingAssets[] = [];
  for (const [ip, list] of byIp) {
    // Log order is nearly time order; a stable sort puts the few late lines back.
    list.sort((a, b) => a.time - b.time);
    const views: PageView[] = [];
    let current: PageView | null = null;
    let lead: LeadingAssets | null = null;
    let sawPage = false;
    for (const e of list) {
      if (isPageView(e)) {
        sawPage = true;
        current = { ip, time: e.time, id: text(e.id), host: e.host === null ? null : boundHost(e.host), path: bounded(e.path), status: e.status, subCount: 0, subPaths: [], lastTime: e.time };
        views.push(current);
      } else if (isAsset(e)) {
        const path = bounded(e.path);
        if (current && e.time - current.lastTime <= CASCADE_GAP_MS) {
          current.subCount++;
          current.lastTime = e.time;
          if (current.subPaths.length < MAX_SUB_PATHS && !current.subPaths.includes(path)) current.subPaths.push(path);
        } else if (!sawPage && (!lead || e.time - lead.lastTime <= CASCADE_GAP_MS)) {
          if (!lead) lead = { ip, firstTime: e.time, lastTime: e.time, count: 0, paths: [] };
          lead.count++;
          lead.lastTime = e.time;
          if (lead.paths.length < MAX_SUB_PATHS && !lead.paths.includes(path)) lead.paths.push(path);
        }
      }
    }
    if (lead) leading.push(lead);
    pages.push(...views);
  }
  return { pages, leading };
}

/**
 * The hourly budget: of each IP's page views in an hour, the first `perHour` are stored; the writer keeps the counts of
 * the current and the previous hour (at most `maxIps` IPs each; past that an hour's new IPs are not limited), so a
 * restart only forgets the budget of the hour in progress.
 */
export class CascadeBudget {
  private readonly hours = new Map<number, Map<string, number>>();

  constructor(
    private readonly perHour = CASCADE_PAGES_PER_HOUR,
    private readonly maxIps = 100_000,
  ) {}

  admit(pages: readonly PageView[]): PageView[] {
    const out: PageView[] = [];
    for (const p of pages) {
      const hour = Math.floor(p.time / 3_600_000);
      let counts = this.hours.get(hour);
      if (!counts) {
        this.hours.set(hour, (counts = new Map()));
        for (const h of this.hours.keys()) if (h < hour - 1) this.hours.delete(h);
      }
      const n = counts.get(p.ip) ?? 0;
      if (n >= this.perHour) continue;
      if (n > 0 || counts.size < this.maxIps) counts.set(p.ip, n + 1);
      out.push(p);
    }
    return out;
  }
}

/**
 * Which IPs to trim back to their latest CASCADE_PAGES_PER_IP page views: an IP is due once it has written that many
 * since its last trim, so the table holds at most 2 × CASCADE_PAGES_PER_IP - 1 page views per IP (more only after a
 * restart forgot the counts) while most batches trim nobody: a trim is an index probe per IP, and trimming every IP of
 * every batch was about a third of the cascade's cost. Counts of at most `maxIps` IPs are kept; when full they are
 * dropped and every IP of that batch is trimmed. A batch that rolls back after `due` only makes a later trim later.
 */
export class CascadeTrim {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly every = CASCADE_PAGES_PER_IP,
    private readonly maxIps = 20_000,
  ) {}

  due(pages: readonly PageView[]): string[] {
    const perIp = new Map<string, number>();
    for (const p of pages) perIp.set(p.ip, (perIp.get(p.ip) ?? 0) + 1);
    if (this.written.size + perIp.size > this.maxIps) {
      this.written.clear();
      return [...perIp.keys()];
    }
    const due: string[] = [];
    for (const [ip, n] of perIp) {
      const total = (this.written.get(ip) ?? 0) + n;
      if (total >= this.every) {
        due.push(ip);
        this.written.delete(ip);
      } else {
        this.written.set(ip, total);
      }
    }
    return due;
  }
}
