/** User agents, written as the clients send them (2024-2025 versions). */
import { escapeLogValue } from './encode.js';

/** Current desktop and mobile browsers with a rough share of a shop's traffic. */
export const BROWSER_AGENTS: readonly (readonly [string, number])[] = [
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    18,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
    6,
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    7,
  ],
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    2,
  ],
  [
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    14,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    6,
  ],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 4],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0', 1],
  ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 1],
  ['Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0', 1],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    5,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1.1 Mobile/15E148 Safari/604.1',
    13,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
    5,
  ],
  [
    'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    2,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
    2,
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
    3,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0',
    1,
  ],
  [
    'Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.107 Mobile Safari/537.36',
    2,
  ],
];

/** Stale browser strings that bots copy into their requests to look human. */
export const FAKE_BROWSER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:71.0) Gecko/20100101 Firefox/71.0',
  'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/61.0.3163.100 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)',
];

/** Attack and scan tools as they announce themselves. */
export const TOOL_AGENTS = {
  nuclei: 'Nuclei - Open-source project (github.com/projectdiscovery/nuclei)',
  nikto: 'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000412)',
  sqlmap: 'sqlmap/1.8.12#stable (https://sqlmap.org)',
  zgrab: 'Mozilla/5.0 zgrab/0.x',
  masscan: 'masscan/1.3 (https://github.com/robertdavidgraham/masscan)',
  gobuster: 'gobuster/3.6',
  ffuf: 'Fuzz Faster U Fool v2.1.0-dev',
  wpscan: 'WPScan v3.8.27 (https://wpscan.com/wordpress-security-scanner)',
  nmap: 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
  censys: 'Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)',
  leakix: 'Mozilla/5.0 (l9scan/2.0.130323e2332313e2936323e2137363; +https://leakix.net)',
  curl: 'curl/8.5.0',
  wget: 'Wget/1.21.4',
  pythonRequests: 'python-requests/2.32.3',
  aiohttp: 'Python/3.11 aiohttp/3.9.5',
  goHttp: 'Go-http-client/1.1',
  mozi: 'Hello, World',
  hydra: 'Mozilla/5.0 (Hydra)',
} as const;

export interface GoodBot {
  readonly name: string;
  readonly userAgent: string;
  /** Published or well-known source blocks (CIDR). */
  readonly blocks: readonly string[];
  readonly weight: number;
}

/** Crawlers with their documented user agents and published address ranges. */
export const GOOD_BOTS: readonly GoodBot[] = [
  {
    name: 'Googlebot',
    userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    blocks: ['66.249.64.0/19', '2001:4860:4801::/48'],
    weight: 18,
  },
  {
    name: 'Googlebot Smartphone',
    userAgent:
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.108 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    blocks: ['66.249.64.0/19'],
    weight: 22,
  },
  {
    name: 'Googlebot-Image',
    userAgent: 'Googlebot-Image/1.0',
    blocks: ['66.249.64.0/19'],
    weight: 4,
  },
  {
    name: 'Bingbot',
    userAgent:
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/131.0.6778.108 Safari/537.36',
    blocks: ['157.55.39.0/24', '207.46.13.0/24', '40.77.167.0/24', '52.167.144.0/24'],
    weight: 14,
  },
  {
    name: 'DuckDuckBot',
    userAgent: 'DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)',
    blocks: [
      '20.191.45.212/32',
      '40.88.21.235/32',
      '40.76.173.151/32',
      '52.142.26.175/32',
      '20.185.79.47/32',
    ],
    weight: 4,
  },
  {
    name: 'Applebot',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
    blocks: ['17.241.208.0/20', '17.22.237.0/24'],
    weight: 6,
  },
  {
    name: 'YandexBot',
    userAgent: 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
    blocks: ['5.255.253.0/24', '213.180.203.0/24', '95.108.213.0/24', '87.250.224.0/19'],
    weight: 6,
  },
  {
    name: 'Baiduspider',
    userAgent: 'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
    blocks: ['180.76.15.0/24', '220.181.108.0/24'],
    weight: 3,
  },
  {
    name: 'facebookexternalhit',
    userAgent: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    blocks: ['69.171.224.0/19', '173.252.64.0/18', '2a03:2880::/32'],
    weight: 4,
  },
  {
    name: 'UptimeRobot',
    userAgent: 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)',
    blocks: ['216.144.250.150/32', '69.162.124.226/32', '63.143.42.242/32'],
    weight: 3,
  },
];

/** Every constant above is plain ASCII without quotes, but escape anyway in case one is edited. */
export function logAgent(userAgent: string): string {
  return escapeLogValue(userAgent);
}
