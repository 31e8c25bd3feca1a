/**
 * User-Agent families: which browser (and major version), which crawler, which tool a User-Agent claims. Pure and
 * bounded (the first 512 characters, substring tests and linear regexes), run by the batch writer for every stored
 * request to keep the per-hour family rollup behind GET /api/browsers. A claim, not a proof: anyone can send any
 * User-Agent; the behaviour windows say what a client did.
 *
 * Crawlers are recognised by the tokens behaviour detection already knows (KNOWN_BOT_TOKENS) and by the generic
 * bot/spider/crawler words; browsers only when the string claims Mozilla/ with an engine, as claimsBrowser does.
 */
import { claimsBrowser, KNOWN_BOT_TOKENS } from '../detect/index.js';

export type UserAgentKind = 'browser' | 'bot' | 'tool' | 'other' | 'none';

export interface UserAgentFamily {
  kind: UserAgentKind;
  /** A name from the tables below, or the User-Agent's first product token (bounded) for `other`. */
  family: string;
  /** Major version, '' when none is given. */
  version: string;
}

const MAX_SCANNED = 512;
const MAX_FAMILY = 32;

/** Automation that does not call itself a bot: HTTP libraries, command-line clients, scanners, headless browsers. */
const TOOLS: readonly (readonly [token: string, family: string])[] = [
  ['headlesschrome/', 'HeadlessChrome'],
  ['curl/', 'curl'],
  ['wget/', 'Wget'],
  ['python-requests/', 'python-requests'],
  ['python-urllib/', 'Python-urllib'],
  ['python-httpx/', 'python-httpx'],
  ['aiohttp/', 'aiohttp'],
  ['go-http-client/', 'Go-http-client'],
  ['okhttp/', 'okhttp'],
  ['java/', 'Java'],
  ['apache-httpclient/', 'Apache-HttpClient'],
  ['axios/', 'axios'],
  ['node-fetch/', 'node-fetch'],
  ['undici', 'undici'],
  ['libwww-perl/', 'libwww-perl'],
  ['php/', 'PHP'],
  ['guzzlehttp/', 'GuzzleHttp'],
  ['postmanruntime/', 'PostmanRuntime'],
  ['powershell/', 'PowerShell'],
  ['sqlmap/', 'sqlmap'],
  ['nikto', 'Nikto'],
  ['nuclei', 'Nuclei'],
  ['zgrab', 'zgrab'],
  ['masscan', 'masscan'],
  ['nmap', 'Nmap'],
  ['gobuster', 'gobuster'],
  ['wpscan', 'WPScan'],
  ['dirbuster', 'DirBuster'],
];

/** Browsers, most specific first: Edge and Opera also say Chrome, Chrome also says Safari. */
const BROWSERS: readonly (readonly [token: string, family: string])[] = [
  ['edg/', 'Edge'],
  ['edga/', 'Edge'],
  ['edgios/', 'Edge'],
  ['opr/', 'Opera'],
  ['samsungbrowser/', 'Samsung Internet'],
  ['yabrowser/', 'Yandex Browser'],
  ['ucbrowser/', 'UC Browser'],
  ['vivaldi/', 'Vivaldi'],
  ['firefox/', 'Firefox'],
  ['fxios/', 'Firefox'],
  ['crios/', 'Chrome'],
  ['chrome/', 'Chrome'],
  ['chromium/', 'Chromium'],
];

const LOWER_BOTS = KNOWN_BOT_TOKENS.map((t) => [t.toLowerCase(), t] as const);
/** A product token that calls itself a bot; bounded so the match stays linear. */
const GENERIC_BOT = /([a-z][a-z0-9._-]{0,30}(?:bot|spider|crawler))\b/i;
const FIRST_PRODUCT = /^([A-Za-z][A-Za-z0-9._-]{0,31})/;

export function classifyUserAgent(userAgent: string | null | undefined): UserAgentFamily {
  if (!userAgent || userAgent.trim() === '' || userAgent === '-') return { kind: 'none', family: '(none)', version: '' };
  const ua = userAgent.length > MAX_SCANNED ? userAgent.slice(0, MAX_SCANNED) : userAgent;
  const lower = ua.toLowerCase();
  for (const [token, family] of LOWER_BOTS) {
    if (lower.includes(token)) return { kind: 'bot', family, version: versionAfter(lower, `${token}/`) };
  }
  for (const [token, family] of TOOLS) {
    if (lower.includes(token)) return { kind: 'tool', family, version: versionAfter(lower, token.endsWith('/') ? token : `${token}/`) };
  }
  const bot = GENERIC_BOT.exec(ua);
  if (bot) return { kind: 'bot', family: bot[1]!.slice(0, MAX_FAMILY), version: versionAfter(lower, `${bot[1]!.toLowerCase()}/`) };
  if (claimsBrowser(ua)) {
    for (const [token, family] of BROWSERS) {
      if (lower.includes(token)) return { kind: 'browser', family, version: versionAfter(lower, token) };
    }
    if (lower.includes('safari/')) return { kind: 'browser', family: 'Safari', version: versionAfter(lower, 'version/') };
    if (lower.includes('trident/') || lower.includes('msie ')) {
      const msie = versionAfter(lower, 'msie ');
      return { kind: 'browser', family: 'Internet Explorer', version: msie || (lower.includes('rv:11') ? '11' : '') };
    }
    return { kind: 'browser', family: 'Other browser', version: '' };
  }
  const first = FIRST_PRODUCT.exec(ua);
  if (!first) return { kind: 'other', family: '(other)', version: '' };
  return { kind: 'other', family: first[1]!, version: versionAfter(lower, `${first[1]!.toLowerCase()}/`) };
}

/** The major version right after `token` (digits only, at most 6), '' when absent. */
function versionAfter(lower: string, token: string): string {
  const at = lower.indexOf(token);
  if (at < 0) return '';
  let end = at + token.length;
  const start = end;
  while (end < lower.length && end - start < 6) {
    const c = lower.charCodeAt(end);
    if (c < 48 || c > 57) break;
    end++;
  }
  return lower.slice(start, end);
}
