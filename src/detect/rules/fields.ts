/** Which parts of an event rules inspect, capped so a hostile request cannot make detection expensive. */
import type { HttpEvent } from '../../core/index.js';
import { forEachArg } from '../transforms/index.js';

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

/**
 * Receives each inspected field: `argName` is set for `args` and `arg_names` (the label is derived from
 * it only when needed, see fieldLabel), null otherwise.
 */
export type FieldVisitor = (key: string, raw: string, argName: string | null) => void;

/** What Detection.field says for a field instance. */
export function fieldLabel(key: string, argName: string | null): string {
  if (argName === null) return key;
  return key === 'args' ? `arg:${argName.slice(0, 64)}` : 'arg_name';
}

/**
 * Visits the field instances of an event in a fixed order, under the caps. The engine's hot path: no
 * per-field objects or labels are built (eventFields is the allocating form of the same walk).
 */
export function visitEventFields(e: EventLike, visit: FieldVisitor): void {
  let count = 3;
  visit('method', cap(e.method), null);
  visit('status', String(e.status), null);
  visit('path', cap(e.path), null);
  if (e.userAgent) {
    visit('user_agent', cap(e.userAgent), null);
    count++;
  }
  if (e.referer && e.referer !== '-') {
    visit('referer', cap(e.referer), null);
    count++;
  }
  if (e.host) {
    visit('host', cap(e.host), null);
    count++;
  }
  if (e.headers) {
    for (const [name, value] of Object.entries(e.headers)) {
      if (count >= 24) break;
      visit(`header:${name.toLowerCase()}`, cap(value), null);
      count++;
    }
  }
  // The request target as sent: for rules whose evidence spans path and query (`/shell?cd+/tmp`).
  visit('uri', cap(e.query === '' ? e.path : `${e.path}?${e.query}`), null);
  count++;
  if (e.query !== '') {
    visit('query', cap(e.query), null);
    count++;
    let full = false;
    forEachArg(e.query, MAX_ARGS_INSPECTED, (name, value) => {
      if (full || count + 2 > MAX_FIELDS_PER_EVENT) {
        full = true;
        return;
      }
      if (value !== '') {
        visit('args', value, name);
        count++;
      }
      visit('arg_names', name, name);
      count++;
    });
  }
}

export function eventFields(e: EventLike): FieldInstance[] {
  const out: FieldInstance[] = [];
  visitEventFields(e, (key, raw, argName) => out.push({ key, label: fieldLabel(key, argName), raw }));
  return out;
}
