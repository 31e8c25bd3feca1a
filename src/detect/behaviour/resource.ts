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
import type { HttpEvent } from '../../core/event.js';
import type { BehaviourConfig } from './config.js';
import { familyHash, pathExtension, refererPathHash } from './paths.js';
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

/** Reused for every event (the detector is synchronous), so classification allocates nothing. */
export interface ResourceVerdict {
  asset: boolean;
  subresource: boolean;
  /** Family hash of the path, computed on first use. */
  family(): number;
}

export class ResourceClassifier {
  private readonly extensions: Set<string>;
  private readonly largeBytes: number;
  private readonly gapMs: number;
  private path = '';
  private cachedFamily = 0;
  private readonly verdict: ResourceVerdict;

  constructor(assets: BehaviourConfig['assets']) {
    this.extensions = new Set(assets.extensions.map((x) => x.toLowerCase()));
    this.largeBytes = assets.largeResponseBytes;
    this.gapMs = assets.subresourceGapMs;
    this.verdict = {
      asset: false,
      subresource: false,
      family: () => (this.cachedFamily ||= familyHash(this.path)),
    };
  }

  classify(
    e: HttpEvent,
    pathHash: number,
    site: HostProfile,
    sites: SiteAssets,
    lastPageTime: number,
    lastPageHash: number,
    t: number,
  ): ResourceVerdict {
    this.path = e.path;
    this.cachedFamily = 0;
    const v = this.verdict;
    const ext = pathExtension(e.path);
    v.asset =
      (ext !== '' && this.extensions.has(ext)) ||
      e.status === 304 ||
      e.status === 206 ||
      (e.bytes >= this.largeBytes && !PAGE_EXTENSIONS.has(ext)) ||
      (site.learned > 0 && sites.isAsset(site, v.family()));
    v.subresource = false;
    if (e.referer && lastPageHash !== 0 && t - lastPageTime <= this.gapMs) {
      const ref = refererPathHash(e.referer);
      v.subresource = ref === lastPageHash && ref !== pathHash;
    }
    return v;
  }
}
