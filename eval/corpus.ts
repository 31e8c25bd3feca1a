/**
 * Builds the labelled attack corpus from the shared development data: payloads inserted into plausible
 * query values and paths (encoded only where a request target cannot carry the character literally, as
 * the data README asks), probe paths as request targets, scanner user agents on an ordinary page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Category } from '../src/core/detection.js';
import type { EventLike } from '../src/detect/rules/index.js';
import { lineSplit, listProvenance, type Split } from './split.js';

export interface Sample {
  label: Category;
  source: string;
  variant: string;
  payload: string;
  event: EventLike;
  /** Free text from the source record (the scanner list's description), when it has one. */
  note?: string;
  /** Development or held-out (eval/split.ts). */
  split: Split;
}

const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
}

/** Percent-encode what a request target cannot carry literally (and what would split a query value). */
export function encodeMinimal(s: string, extra: string): string {
  const chars = Array.from(s);
  let out = '';
  chars.forEach((ch, i) => {
    const c = ch.codePointAt(0) ?? 0;
    const validEscape = ch === '%' && /^[0-9a-fA-F]{2}$/.test((chars[i + 1] ?? '') + (chars[i + 2] ?? ''));
    const literal = c > 0x20 && c < 0x7f && !'"<>'.includes(ch) && !extra.includes(ch) && (ch !== '%' || validEscape);
    out += literal ? ch : [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  });
  return out;
}

function ev(path: string, query = '', ua: string | null = BROWSER_UA): EventLike {
  return { method: 'GET', path, query, status: 200, userAgent: ua, referer: null, host: null, headers: null };
}

const PAYLOAD_CATEGORIES: Category[] = ['sqli', 'xss', 'path_traversal', 'lfi', 'rfi', 'rce', 'php_injection', 'log4shell', 'ssrf', 'xxe', 'ssti', 'nosqli', 'crlf', 'open_redirect'];
/** Payload categories with no rule pack (reported, not evaluated). */
export const UNCOVERED: Category[] = [];

/**
 * Template placeholders left in some payload lists, filled as an attacker fills them (the way the data's
 * own builder replaced nuclei's `{{interactsh-url}}` with `attacker.example`, and this corpus fills
 * `XXpathXX`): `//{target}` is the redirect technique with its host missing, `;{cmd}` a separator with its
 * command missing. `${…}` lookups (log4shell's `${hostName}`) are payload, not placeholders, and stay.
 */
export function fillPlaceholders(p: string): string {
  return p
    .replace(/(^|[^${])\{target\}/g, '$1attacker.example')
    .replace(/(^|[^${])\{cmd\}/g, '$1id')
    .replace(/\[ATTACKER\.DOMAIN\.TLD\]/g, 'attacker.example');
}

export function buildAttackCorpus(dataDir: string, include: Category[] = PAYLOAD_CATEGORIES): Sample[] {
  const out: Sample[] = [];
  for (const cat of include) {
    const file = cat === 'php_injection' ? 'php_injection' : cat;
    // An open-redirect target is only an attack in a parameter the app redirects to.
    const [page, param] = cat === 'open_redirect' ? ['/login', 'next'] : ['/search', 'q'];
    const raws = lines(join(dataDir, 'payloads', `${file}.txt`));
    const prov = listProvenance(dataDir, `payloads/${file}.txt`, raws.length);
    raws.forEach((raw, i) => {
      const p = fillPlaceholders(raw);
      const split = lineSplit(prov, i);
      const source = `payloads/${file}.txt`;
      out.push({ label: cat, source, split, variant: 'query', payload: p, event: ev(page, `${param}=${encodeMinimal(p, '&+#')}`) });
      out.push({ label: cat, source, split, variant: 'query-encoded', payload: p, event: ev(page, `${param}=${encodeURIComponent(p)}`) });
      if (cat === 'path_traversal' || cat === 'lfi') {
        const path = p.startsWith('/') ? p : `/static/${p}`;
        out.push({ label: cat, source, split, variant: 'path', payload: p, event: ev(encodeMinimal(path, '?#')) });
      }
      if (cat === 'crlf') {
        // Header injection is most often sent in the path (`/%0d%0aSet-Cookie:...`).
        out.push({ label: cat, source, split, variant: 'path', payload: p, event: ev(encodeMinimal(p.startsWith('/') ? p : `/${p}`, '?#')) });
      }
      if (cat === 'log4shell') {
        out.push({ label: cat, source, split, variant: 'user_agent', payload: p, event: ev('/', '', p) });
      }
    });
  }
  return out;
}

function probePath(p: string): { path: string; query: string } {
  const q = p.indexOf('?');
  return q === -1 ? { path: p, query: '' } : { path: p.slice(0, q), query: p.slice(q + 1) };
}

export function buildProbeCorpus(dataDir: string): Sample[] {
  const out: Sample[] = [];
  const probe = (label: Category, file: string, raw: string, split: Split) => {
    const { path, query } = probePath(encodeMinimal(raw, '#'));
    out.push({ label, source: `probes/${file}`, split, variant: 'target', payload: raw, event: ev(path, query) });
  };
  const list = (file: string, each: (raw: string, split: Split) => void) => {
    const raws = lines(join(dataDir, 'probes', file));
    const prov = listProvenance(dataDir, `probes/${file}`, raws.length);
    raws.forEach((raw, i) => each(raw, lineSplit(prov, i)));
  };
  list('sensitive_files.txt', (p, split) => probe('sensitive_file', 'sensitive_files.txt', p, split));
  list('webshells.txt', (p, split) => probe('webshell', 'webshells.txt', p, split));
  list('rfi_vulnerable_paths.txt', (p, split) =>
    probe('rfi', 'rfi_vulnerable_paths.txt', p.replace(/XXpathXX/g, 'http://attacker.example/shell.txt'), split),
  );
  for (const l of lines(join(dataDir, 'probes', 'nuclei_requests.jsonl'))) {
    const r = JSON.parse(l) as { path: string; category: string; cve?: string | null };
    if (r.category === 'cves' || (r.cve ?? '') !== '') probe('cve_probe', 'nuclei_requests.jsonl', r.path, 'dev');
  }
  for (const l of lines(join(dataDir, 'probes', 'scanner_user_agents.jsonl'))) {
    const r = JSON.parse(l) as { user_agent: string; description?: string | null };
    out.push({ label: 'scanner', source: 'probes/scanner_user_agents.jsonl', split: 'dev', variant: 'user_agent', payload: r.user_agent, event: ev('/', '', r.user_agent), note: r.description ?? '' });
  }
  return out;
}

/** Hard negatives: benign shop search terms that earlier SQLi detectors flagged. */
export function buildHardNegatives(dataDir: string): Sample[] {
  return lines(join(dataDir, 'payloads', 'negatives_sqli_false_positives.txt')).map((p) => ({
    label: 'anomaly',
    source: 'payloads/negatives_sqli_false_positives.txt',
    split: 'dev' as const,
    variant: 'query',
    payload: p,
    event: ev('/search', `q=${encodeMinimal(p, '&+#')}`),
  }));
}
