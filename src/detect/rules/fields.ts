/** Which parts of an event rules inspect, capped so a hostile request cannot make detection expensive. */
import type { HttpEvent } from '../../core/event.js';
import { parseQuery } from '../normalize/index.js';

/** At most this many field instances per event (path, query, each arg value and name, UA, ...). */
export const MAX_FIELDS_PER_EVENT = 160;
/** Args inspected per event (values and names); the rest is ignored (and the cap is itself unusual). */
export const MAX_ARGS_INSPECTED = 64;
/** Longest raw field text inspected. */
export const MAX_FIELD_BYTES = 8192;

export interface FieldInstance {
  /** Key used to select rules: a base field name or `header:<name>`. */
  key: string;
  /** What Detection.field says: path, query, arg:<name>, arg_name, user_agent, header:<name>... */
  label: string;
  raw: string;
}

export type EventLike = Pick<HttpEvent, 'method' | 'path' | 'query' | 'status'> &
  Partial<Pick<HttpEvent, 'host' | 'referer' | 'userAgent' | 'headers'>>;

function cap(s: string): string {
  return s.length > MAX_FIELD_BYTES ? s.slice(0, MAX_FIELD_BYTES) : s;
}

export function eventFields(e: EventLike): FieldInstance[] {
  const out: FieldInstance[] = [
    { key: 'method', label: 'method', raw: cap(e.method) },
    { key: 'status', label: 'status', raw: String(e.status) },
    { key: 'path', label: 'path', raw: cap(e.path) },
  ];
  if (e.userAgent) out.push({ key: 'user_agent', label: 'user_agent', raw: cap(e.userAgent) });
  if (e.referer && e.referer !== '-') out.push({ key: 'referer', label: 'referer', raw: cap(e.referer) });
  if (e.host) out.push({ key: 'host', label: 'host', raw: cap(e.host) });
  if (e.headers) {
    for (const [name, value] of Object.entries(e.headers)) {
      if (out.length >= 24) break;
      out.push({ key: `header:${name.toLowerCase()}`, label: `header:${name.toLowerCase()}`, raw: cap(value) });
    }
  }
  // The request target as sent: for rules whose evidence spans path and query (`/shell?cd+/tmp`).
  out.push({ key: 'uri', label: 'uri', raw: cap(e.query === '' ? e.path : `${e.path}?${e.query}`) });
  if (e.query !== '') {
    out.push({ key: 'query', label: 'query', raw: cap(e.query) });
    const { args } = parseQuery(e.query, MAX_ARGS_INSPECTED);
    for (const a of args) {
      if (out.length + 2 > MAX_FIELDS_PER_EVENT) break;
      const label = `arg:${a.name.slice(0, 64)}`;
      if (a.value !== '') out.push({ key: 'args', label, raw: a.value });
      out.push({ key: 'arg_names', label: 'arg_name', raw: a.name });
    }
  }
  return out;
}
