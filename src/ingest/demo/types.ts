/** Shapes shared by the simulator and its actors. */
import type { Category } from '../../core/index.js';

export const ACTORS = ['browser', 'good_bot', 'scanner', 'bruteforce', 'injection', 'flood', 'scraper'] as const;
export type Actor = (typeof ACTORS)[number];

/**
 * Ground truth for one line. `category` is set only on lines that carry an attack (a payload, a probe,
 * a login attempt, a flood request); an attacker's harmless warm-up request (`GET /`) has none.
 */
export interface DemoLabel {
  readonly actor: Actor;
  readonly category?: Category;
  readonly ip: string;
}

export interface DemoLine {
  /** One nginx `combined` line (with a JA4 field in the `ja4` format), without the newline. */
  readonly text: string;
  readonly label: DemoLabel;
  /** Epoch ms of the request (the line shows it to the second). */
  readonly time: number;
}

/** One request an actor makes; the simulator turns it into a line. */
export interface Hit {
  time: number;
  method: string;
  /** Request target exactly as sent (path and query, already encoded). */
  target: string;
  protocol: string;
  status: number;
  bytes: number;
  /** Full URL or '-'. */
  referer: string;
  /** Log-escaped user agent or '-'. */
  userAgent: string;
  label: DemoLabel;
  /** Set when the request line is not `METHOD target PROTOCOL` (e.g. TLS bytes sent to port 80). */
  rawRequest?: string;
  /** `rotating`: the client randomises its TLS ClientHello, so a JA4-carrying format shows a new JA4 per request (ja4.ts). */
  tls?: 'rotating';
}

/** A client's visit: hits in non-decreasing time order, starting at or after `start`. */
export type Session = Iterator<Hit, void>;

export interface ActorModel {
  readonly actor: Actor;
  /** Expected lines per session, used to turn a line share into a session arrival rate. */
  readonly meanLines: number;
  session(start: number): Session;
  /** A short, obvious session for the first seconds of a demo, so detections show up at once. */
  opening?(start: number): Session;
}

/** Labels are shared by many lines; freezing them keeps one consumer from changing another's truth. */
export function makeLabel(actor: Actor, ip: string, category?: Category): DemoLabel {
  return Object.freeze(category === undefined ? { actor, ip } : { actor, category, ip });
}
