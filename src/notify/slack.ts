/**
 * A notification as a Slack incoming-webhook message: `text` (the one line shown in notifications and by
 * clients without blocks) and Block Kit `blocks`. Every value from the request is hostile: `&`, `<`, `>` are
 * escaped as Slack asks (so `<!channel>` or `<https://evil|click>` arrive as text), backticks are replaced so a
 * value cannot leave its code span, and every value is bounded (Slack refuses section fields over 2,000
 * characters and headers over 150).
 */
import type { Notification } from './types.js';

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

type SlackText = { type: 'mrkdwn' | 'plain_text'; text: string };
type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };

export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inside a code span: escaped, no backticks, no line breaks, bounded. */
function code(s: string, max = 300): string {
  const flat = bound(s.replace(/[\r\n\t]+/g, ' ').replace(/`/g, 'ˋ'), max);
  return flat === '' ? '-' : '`' + slackEscape(flat) + '`';
}

function bound(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function headline(n: Notification): string {
  return `${n.severity.toUpperCase()} ${n.category} from ${n.ip}${n.host ? ` on ${n.host}` : ''}: ${n.rule}`;
}

export function slackMessage(n: Notification): SlackMessage {
  const target = n.query ? `${n.path}?${n.query}` : n.path;
  const fields: SlackText[] = [
    { type: 'mrkdwn', text: `*IP*\n${code(n.ip, 64)}${n.country ? ` (${slackEscape(n.country)})` : ''}` },
    { type: 'mrkdwn', text: `*Host*\n${code(n.host ?? '', 253)}` },
    { type: 'mrkdwn', text: `*Rule*\n${code(n.rule, 200)}` },
    { type: 'mrkdwn', text: `*Severity / score*\n${slackEscape(n.severity)} / ${n.score}` },
    { type: 'mrkdwn', text: `*Request*\n${code(`${n.method} ${target}`, 500)} → ${n.status}` },
    { type: 'mrkdwn', text: `*Matched* (${slackEscape(bound(n.field, 100))})\n${code(n.fragment, 300)}` },
  ];
  const context: SlackText[] = [{ type: 'mrkdwn', text: slackEscape(`${n.time} · ${n.id} · ${bound(n.source, 200)}`) }];
  if (n.suppressed > 0) {
    context.push({ type: 'mrkdwn', text: slackEscape(`${n.suppressed} more from this IP and rule since ${n.suppressed_since ?? 'the last message'} were not sent (throttled)`) });
  }
  return {
    text: slackEscape(bound(headline(n), 300)),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: bound(headline(n), 150) } },
      { type: 'section', fields },
      { type: 'context', elements: context },
    ],
  };
}
