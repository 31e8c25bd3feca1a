/**
 * Page or sub-resource? Not by extension alone (a peer's extension-only rule bans Jellyfin and Immich users):
 * a request is an asset when any of these holds —
 * - its extension is a static one (stylesheets, scripts, images, fonts, media);
 * - its status is 304 (a cache revalidation) or 206 (a range of a media file);
 * - its response is at least largeResponseBytes and its extension is not a page one (.php, .html, ...);
 * - its path family was learned as an asset of this site (site-assets.ts).
 * Separately, it is a sub-resource candidate when its referer is the page this IP loaded just before (within
 * subresourceGapMs, not itself): evidence for learning, not yet a verdict, since crawlers also send referers.
 */
import type { HttpEvent } from '../../core/index.js';
import type { BehaviourConfig } from './config.js';
import { ExtensionSet, familyHash, pathExtension, refererPathEnd, refererPathHash, refererPathStart } from './paths.js';
import type { HostProfile, SiteAssets } from './site-assets.js';

const PAGE_EXTENSIONS = new Set([
  '.php',
  '.html',
  '.htm',
  '.asp',
  '.aspx',
  '.jsp',
  '.cgi',
  '.pl',
  '.do',
  '.action',
]);

/** The classifier itself (reused for every event: the detector is synchronous), so classification allocates nothing. */
export interface ResourceVerdict {
  readonly asset: boolean;
  readonly subresource: boolean;
  /** Family hash of the path, computed on first use (most events never need it). */
  family(): number;
}

export class ResourceClassifier implements ResourceVerdict {
  asset = false;
  subresource = false;
  private readonly extensions: ExtensionSet;
  private readonly largeBytes: number;
  private readonly gapMs: number;
  private path = '';
  private cachedFamily = 0;

  constructor(assets: BehaviourConfig['assets']) {
    this.extensions = new ExtensionSet(assets.extensions);
    this.largeBytes = assets.largeResponseBytes;
    this.gapMs = assets.subresourceGapMs;
  }

  family(): number {
    if (this.cachedFamily === 0) this.cachedFamily = familyHash(this.path);
    return this.cachedFamily;
  }

  classify(
    e: HttpEvent,
    pathHash: number,
    site: HostProfile,
    sites: SiteAssets,
    lastPageTime: number,
    lastPageHash: number,
    lastPageLength: number,
    t: number,
  ): ResourceVerdict {
    const path = e.path;
    this.path = path;
    this.cachedFamily = 0;
    const status = e.status;
    // Cheapest tests first; the extension is read without allocating, the page-extension slice only for large bodies.
    this.asset =
      status === 304 ||
      status === 206 ||
      this.extensions.hasExtensionOf(path) ||
      (e.bytes >= this.largeBytes && !PAGE_EXTENSIONS.has(pathExtension(path))) ||
      (site.learned > 0 && sites.isAsset(site, this.family()));
    this.subresource = false;
    const referer = e.referer;
    if (referer && lastPageHash !== 0 && t - lastPageTime <= this.gapMs) {
      // Fast path: a referer whose path is not as long as the page's is another page; only same-length ones are
      // hashed (most, on a browsing session: a page's own sub-resources name it).
      const start = refererPathStart(referer);
      if (start >= 0 && refererPathEnd(referer, start) - start === lastPageLength) {
        const ref = refererPathHash(referer);
        this.subresource = ref === lastPageHash && ref !== pathHash;
      }
    }
    return this;
  }
}
