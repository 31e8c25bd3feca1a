/**
 * The XSS tokeniser (`tokens/xss`), in the spirit of libinjection's: the value is read as HTML in each
 * place a page could reflect it (text, a double-quoted, single-quoted or unquoted attribute value) and
 * flagged when what a browser would build can run script:
 * - a script-capable tag (`<script`, `<iframe`, `<svg`, `<object`, `<embed`, `<meta`, `<base`, ...);
 * - an event-handler attribute (`onerror=`, `onmouseover=`) on any tag, or after breaking out of a quote;
 * - a URL attribute (href, src, action, formaction, ...) whose value is a `javascript:`, `vbscript:` or
 *   `data:text/html` URL (after the entity decoding and whitespace a browser ignores);
 * - a style that runs script (`expression(`, `behavior:`, `-moz-binding`, `url(javascript:`);
 * and, without any tag, when the whole value is such a URL or JavaScript that calls script (js.ts).
 * HTML-escaped text (`&lt;script&gt;`) is text to a browser and is not decoded here.
 */
import { TRANSFORMS } from '../transforms/index.js';
import { HTML_CONTEXTS, lexHtml, type HtmlContext } from './html-lexer.js';
import { htmlEscaped, inspectJs } from './js.js';
import { refererFinding } from './referer.js';
import type { TokenFinding, Tokeniser } from './types.js';

/** Tags whose mere presence can load or run script (libinjection's black tags, plus svg and xsl families). */
const SCRIPT_TAGS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'style', 'xml', 'xss',
  'import', 'isindex', 'vmlframe', 'handler', 'listener', 'portal', 'math',
]);
/** Attributes whose value the browser loads or navigates to as a URL. */
const URL_ATTRS = new Set([
  'href', 'src', 'action', 'formaction', 'data', 'dynsrc', 'lowsrc', 'background', 'poster', 'values', 'from', 'to', 'by',
  'xlink:href', 'folder', 'handler', 'codebase', 'code', 'archive', 'longdesc', 'cite', 'icon', 'manifest', 'ping', 'content', 'srcset',
]);
/** Attributes whose value is itself HTML (`srcdoc`) or binds data to script (IE's datasrc/dataformatas). */
const HTML_ATTRS = new Set(['srcdoc']);
const BLACK_ATTRS = new Set(['datasrc', 'dataformatas']);

/** URL schemes that run script, or a document, in the page's origin. */
const SCRIPT_SCHEMES = ['javascript:', 'vbscript:', 'livescript:', 'data:text/html', 'data:image/svg+xml', 'data:application/xhtml', 'data:text/xml'];
/** `javascript:` URLs that do nothing, common as placeholder links. */
const NOOP_SCRIPTS = new Set(['javascript:', 'javascript:;', 'javascript:void(0)', 'javascript:void(0);', 'javascript:void0', 'javascript:void0;', 'javascript://']);

/** CSS that runs script (old IE and Firefox). */
const STYLE_SCRIPT = ['expression(', 'behavior:', 'behaviour:', '-moz-binding', 'javascript:', 'vbscript:', '@import'];

/** A URL as a browser compares its scheme: entities decoded, whitespace and control characters dropped, lower case. */
function urlForScheme(value: string): string {
  const decoded = value.indexOf('&') === -1 ? value : TRANSFORMS.htmlEntity(value);
  let out = '';
  for (let i = 0; i < decoded.length && out.length < 64; i++) {
    const c = decoded.charCodeAt(i);
    if (c <= 32 || c === 0x7f) continue;
    out += decoded[i]!.toLowerCase();
  }
  return out;
}

/** The script scheme a URL starts with, or null (placeholder `javascript:void(0)` links are not script). */
export function scriptScheme(value: string): string | null {
  const url = urlForScheme(value);
  for (const scheme of SCRIPT_SCHEMES) {
    if (!url.startsWith(scheme)) continue;
    if (scheme === 'javascript:' && NOOP_SCRIPTS.has(url)) return null;
    return scheme;
  }
  return null;
}

function styleScript(value: string): string | null {
  const decoded = (value.indexOf('&') === -1 ? value : TRANSFORMS.htmlEntity(value)).toLowerCase();
  // CSS comments split words for the lexer but not for the browser's reading of them (`exp/**/ression(`).
  const compact = withoutCommentsAndSpace(decoded);
  for (const s of STYLE_SCRIPT) if (compact.includes(s)) return s;
  return null;
}

/** CSS text without comments and whitespace (a comment inside `expression` hides it from a plain search), one pass. */
function withoutCommentsAndSpace(css: string): string {
  let out = '';
  for (let i = 0; i < css.length; i++) {
    const c = css.charCodeAt(i);
    if (c === 47 && css.charCodeAt(i + 1) === 42) {
      const close = css.indexOf('*/', i + 2);
      if (close === -1) break;
      i = close + 1;
    } else if (c > 32) {
      out += css[i];
    }
  }
  return out;
}

function isEventHandler(name: string): boolean {
  if (name.length < 5 || name.charCodeAt(0) !== 111 || name.charCodeAt(1) !== 110) return false;
  for (let i = 2; i < name.length; i++) {
    const l = name.charCodeAt(i);
    if (l < 97 || l > 122) return false;
  }
  return true;
}

function around(s: string, at: number, len = 80): string {
  return s.slice(Math.max(0, at), Math.min(s.length, at + len));
}

/** HTML decision in one context; null when nothing would run. `depth` bounds srcdoc's HTML-in-HTML to one level. */
function inspectContext(s: string, context: HtmlContext, depth = 0): TokenFinding | null {
  let found: TokenFinding | null = null;
  lexHtml(s, context, {
    tag(name, at) {
      if (SCRIPT_TAGS.has(name) || name.startsWith('svg') || name.startsWith('xsl')) {
        found = { fragment: around(s, at), confidence: 0.85, detail: `script-capable tag <${name}> (${context})` };
        return true;
      }
      return false;
    },
    wants: (name) => isEventHandler(name) || BLACK_ATTRS.has(name) || URL_ATTRS.has(name) || name === 'style' || HTML_ATTRS.has(name),
    attr(tag, name, value, at) {
      if (value === null) return false;
      const where = tag === '' ? `after breaking out of a ${context} attribute` : `in <${tag}>`;
      if (isEventHandler(name) || BLACK_ATTRS.has(name)) {
        // Unquoted text breaks into a new attribute at any space: there, the handler must hold something.
        if (tag === '' && context === 'unquoted' && !/[(`=[]/.test(value) && inspectJs(value) === null) return false;
        found = { fragment: around(s, at), confidence: 0.85, detail: `event handler ${name} ${where}` };
        return true;
      }
      if (URL_ATTRS.has(name)) {
        const scheme = scriptScheme(name === 'content' ? value.slice(value.toLowerCase().indexOf('url=') + 4) : value);
        if (scheme !== null && (name !== 'content' || value.toLowerCase().includes('url='))) {
          found = { fragment: around(s, at), confidence: 0.85, detail: `${scheme} URL in ${name} ${where}` };
          return true;
        }
      } else if (name === 'style') {
        const css = styleScript(value);
        if (css !== null) {
          found = { fragment: around(s, at), confidence: 0.8, detail: `style running script (${css}) ${where}` };
          return true;
        }
      } else if (HTML_ATTRS.has(name) && depth === 0) {
        const inner = inspectContext(TRANSFORMS.htmlEntity(value), 'text', 1);
        if (inner !== null) {
          found = { fragment: around(s, at), confidence: 0.85, detail: `${name} holding ${inner.detail}` };
          return true;
        }
      }
      return false;
    },
  });
  return found;
}

/** Cheap test: which of the decisions could apply to `s` at all. */
function needsHtml(s: string): boolean {
  return s.indexOf('<') !== -1 || s.indexOf('=') !== -1;
}

/** The XSS decision on one decoded value; null when no context makes it run script. */
export function inspectXss(s: string): TokenFinding | null {
  if (needsHtml(s)) {
    // Text a page escaped for display (`&lt;img ...&gt;`) was copied, not crafted to break out of a quote.
    const escaped = htmlEscaped(s);
    for (const context of HTML_CONTEXTS) {
      if (context !== 'text' && (escaped || s.indexOf('=') === -1)) continue;
      const f = inspectContext(s, context);
      if (f !== null) return f;
    }
  }
  if (s.indexOf(':') !== -1 || s.indexOf('&') !== -1) {
    const scheme = scriptScheme(s);
    // A whole value `javascript: the good parts` is a search; script after the scheme has punctuation.
    const script = scheme !== null && (scheme.startsWith('data:') || /[(`=;[.'"%\\]/.test(urlForScheme(s).slice(scheme.length)));
    if (script) return { fragment: s.slice(0, 80), confidence: 0.8, detail: `${scheme} URL as the whole value` };
  }
  return inspectJs(s);
}

export const xssTokeniser: Tokeniser = {
  ruleId: 'tokens/xss',
  category: 'xss',
  severity: 'high',
  inspect: (value, field) => (field === 'referer' ? refererFinding(value, inspectXss) : inspectXss(value)),
};
