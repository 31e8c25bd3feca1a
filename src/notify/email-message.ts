/**
 * A notification as an e-mail: a one-line subject and a plain-text body (no HTML, so nothing from a request
 * can become markup or a link). Line breaks are removed from every value that goes into the subject; the
 * headers themselves are encoded by nodemailer.
 */
import { headline } from './slack.js';
import type { Notification } from './types.js';

export interface EmailMessage {
  subject: string;
  text: string;
}

function oneLine(s: string, max: number): string {
  // Control characters (a CR/LF would start a new header line) become spaces.
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

export function emailMessage(n: Notification, subjectPrefix: string): EmailMessage {
  const subject = oneLine(`${subjectPrefix ? subjectPrefix + ' ' : ''}${headline(n)}`, 200);
  const target = n.query ? `${n.path}?${n.query}` : n.path;
  const rows: [string, string][] = [
    ['Time', n.time],
    ['IP', `${n.ip}${n.country ? ` (${n.country}${n.as_org ? `, ${n.as_org}` : ''})` : ''}`],
    ['Host', n.host ?? '-'],
    ['Request', `${n.method} ${target} -> ${n.status}`],
    ['User-Agent', n.user_agent ?? '-'],
    ['Severity', `${n.severity} (score ${n.score})`],
    ['Category', n.category],
    ['Rule', n.rule],
    ['Rules', n.rules.join(', ')],
    ['Matched', `${n.field}: ${n.fragment}`],
    ['Source', n.source],
    ['Threat id', n.id],
  ];
  if (n.suppressed > 0) rows.push(['Throttled', `${n.suppressed} more from this IP and rule since ${n.suppressed_since ?? '-'} were not sent`]);
  const text = rows.map(([k, v]) => `${(k + ':').padEnd(12)}${oneLine(v, 2000)}`).join('\n') + '\n';
  return { subject, text };
}
