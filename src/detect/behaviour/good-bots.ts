/**
 * Well-known crawlers, by the token their User-Agent carries. A claim alone earns the KNOWN_BOT label and
 * exemption from the crawl scenarios (aggressive-crawl, headless) — never from flood, brute force or probing.
 * Proof (forward-confirmed reverse DNS, published ranges) is I/O, so it lives behind BotVerifier, run by the
 * pipeline off the hot path; the detector only reads the verdicts it cached.
 */

/** Hand-written, short on purpose: tokens as the vendors document them. */
export const KNOWN_BOT_TOKENS: readonly string[] = [
  'Googlebot',
  'Google-InspectionTool',
  'Storebot-Google',
  'AdsBot-Google',
  'Mediapartners-Google',
  'bingbot',
  'BingPreview',
  'DuckDuckBot',
  'Applebot',
  'YandexBot',
  'Baiduspider',
  'facebookexternalhit',
  'Twitterbot',
  'LinkedInBot',
  'Slackbot',
  'Discordbot',
  'TelegramBot',
  'WhatsApp',
  'Pinterestbot',
  'UptimeRobot',
  'Pingdom',
  'StatusCake',
  'ia_archiver',
  'archive.org_bot',
];

export type BotVerdict = 'verified' | 'fake';

/** Read side of the verdict cache the pipeline fills (an lru-cache or a Map satisfies it). */
export interface BotVerdictLookup {
  get(ip: string): BotVerdict | undefined;
}

/** Optional I/O capability the pipeline may plug in (off by default): confirms that `ip` belongs to `bot`. */
export interface BotVerifier {
  verify(ip: string, bot: string, signal?: AbortSignal): Promise<BotVerdict | 'unknown'>;
}

/**
 * Told by the detector when an IP claims to be `bot` (a token of the matcher, as configured) and no verdict is
 * cached for it: the pipeline's cue to schedule a BotVerifier run. Called on the hot path, possibly once per
 * event until a verdict lands, so it must be cheap, idempotent and must not throw.
 */
export type BotClaimListener = (ip: string, bot: string) => void;

export class GoodBotMatcher {
  private readonly lowerTokens: readonly string[];

  constructor(readonly tokens: readonly string[] = KNOWN_BOT_TOKENS) {
    this.lowerTokens = tokens.map((t) => t.toLowerCase());
  }

  /** Index of the claimed bot in `tokens`, or -1. */
  match(userAgent: string | null): number {
    if (!userAgent) return -1;
    const ua = userAgent.length > 512 ? userAgent.slice(0, 512).toLowerCase() : userAgent.toLowerCase();
    for (let i = 0; i < this.lowerTokens.length; i++) if (ua.includes(this.lowerTokens[i]!)) return i;
    return -1;
  }
}

/**
 * A User-Agent that claims to be an interactive browser: Mozilla/ with an engine token, and no generic
 * automation marker. Headless Chrome passes (it claims to be Chrome); curl, python-requests and bots do not.
 */
export function claimsBrowser(userAgent: string | null): boolean {
  if (!userAgent || !userAgent.startsWith('Mozilla/')) return false;
  const ua = userAgent.length > 512 ? userAgent.slice(0, 512).toLowerCase() : userAgent.toLowerCase();
  if (!(ua.includes('gecko') || ua.includes('applewebkit') || ua.includes('trident'))) return false;
  return !(
    ua.includes('bot') ||
    ua.includes('spider') ||
    ua.includes('crawl') ||
    ua.includes('headlesschrome')
  );
}
