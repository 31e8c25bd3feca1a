/**
 * Which detections site knowledge may overrule. Sensitive-name rules fire on a file's name alone; whether the name
 * is a probe or the site's content depends on what the site serves, which one line cannot tell.
 *
 * - Leak-class names: files that no site means to publish (environment files, VCS metadata, credentials). Never
 *   content; answered with a body they are a leak, raised to critical.
 * - Content-able names: everything else of the sensitive_file family (source code, logs, backups, app configs,
 *   build files): a path the site serves to many clients is content, not a probe.
 */
import type { Detection } from '../../core/index.js';

export const LEAK_RULES: ReadonlySet<string> = new Set([
  'sensitive-dotenv',
  'sensitive-env-file-suffix',
  'sensitive-vcs-metadata',
  'sensitive-credentials-file',
]);

export type NameClass = 'leak' | 'content-able' | 'other';

export function nameClass(d: Pick<Detection, 'ruleId' | 'category' | 'field'>): NameClass {
  if (d.category !== 'sensitive_file') return 'other';
  if (LEAK_RULES.has(d.ruleId)) return 'leak';
  // A sensitive name in a parameter (`?file=WEB-INF/web.xml`) is an inclusion attempt, not a request for a file.
  return d.field === 'path' ? 'content-able' : 'other';
}

/**
 * Names whose content is secret by its kind even when the site serves the file on purpose (a database dump, a
 * private key, a password list): known content of this kind is reported once per path as an exposed file.
 */
const EXPOSED_NAME =
  /\.(?:sql|sql\.gz|sql\.zip|sql\.bz2|sqlite3?|sqlitedb|db3?|mdb|accdb|dump|dmp|rdb|pem|key|p12|pfx|jks|keystore|kdbx|ppk|ovpn|tfstate|tfvars|htpasswd|pgpass)$|\/(?:[\w-]{0,20}[_-])?(?:passwords?|passwd|passlist|credentials?|secrets?|private[_-]?keys?)\.(?:txt|csv|json|xml|ya?ml|ini)$/i;

export function isExposedName(path: string): boolean {
  return path.length <= 512 && EXPOSED_NAME.test(path);
}

/** Answers that count as the site serving the path (304: the client already had it). */
export function isServed(status: number): boolean {
  return (status >= 200 && status < 300) || status === 304;
}
