/**
 * Server-side script families, by the extension of a path's last segment: what a site runs. A site that has served
 * no script of a family to anyone answers a request for one with a 404 because it does not run that language, and
 * the client asked anyway: a probe for someone else's software (a webshell, an installer, an admin script), whatever
 * its name. Kept to extensions that only a server runs, so a broken link to a document or a download is not one.
 */
export const SCRIPT_FAMILIES = ['php', 'asp', 'jsp', 'cgi', 'cfm'] as const;
export type ScriptFamily = (typeof SCRIPT_FAMILIES)[number];

const BY_EXTENSION: ReadonlyMap<string, ScriptFamily> = new Map([
  ...['php', 'php3', 'php4', 'php5', 'php7', 'php8', 'phtml', 'phar'].map((e) => [e, 'php'] as const),
  ...['asp', 'aspx', 'ashx', 'asmx', 'axd'].map((e) => [e, 'asp'] as const),
  ...['jsp', 'jspx', 'jspf', 'do', 'action'].map((e) => [e, 'jsp'] as const),
  ...['cgi', 'pl'].map((e) => [e, 'cgi'] as const),
  ...['cfm', 'cfc', 'cfml'].map((e) => [e, 'cfm'] as const),
]);

/** Longest extension above, so a long last segment costs one short slice. */
const MAX_EXTENSION = 6;

/** The family of the path's last segment (`/a/b.php`, `/x.PHP5`), or null; constant work per call. */
export function scriptFamily(path: string): ScriptFamily | null {
  const n = path.length;
  // Cheap rejection first: the last character of every extension above.
  switch (path.charCodeAt(n - 1) | 0x20) {
    case 0x70: // p
    case 0x78: // x
    case 0x6c: // l
    case 0x69: // i
    case 0x6d: // m
    case 0x6f: // o
    case 0x6e: // n
    case 0x72: // r
    case 0x63: // c
    case 0x64: // d
    case 0x33: // php3 .. php8
    case 0x34:
    case 0x35:
    case 0x37:
    case 0x38:
      break;
    default:
      return null;
  }
  // The dot within the last MAX_EXTENSION + 1 characters, with no slash after it: bounded, whatever the path.
  const from = Math.max(0, n - MAX_EXTENSION - 1);
  for (let i = n - 2; i >= from; i--) {
    const c = path.charCodeAt(i);
    if (c === 0x2f) return null;
    if (c === 0x2e) return BY_EXTENSION.get(path.slice(i + 1).toLowerCase()) ?? null;
  }
  return null;
}
