/** Log formats by name, plus formats compiled from a pasted nginx log_format. */
import { resolveTimeZone, type TimeZone } from '../../time/index.js';
import type { LogFormat } from '../types.js';
import { COMBINED, COMMON } from './builtin.js';
import { CombinedLogFormat } from './combined-format.js';
import { CompiledLogFormat } from './compiled-format.js';
import { JsonLogFormat } from './json-format.js';
import { extractFormatString } from './log-format-syntax.js';

export interface FormatOptions {
  /** IANA zone (or a resolved one) for times that carry no UTC offset; default UTC. */
  timeZone?: string | TimeZone;
}

export type FormatSpec = string | { logFormat: string; name?: string };

const FACTORIES: Readonly<Record<string, (zone: TimeZone) => LogFormat>> = {
  // combined also reads the trailing "$http_x_forwarded_for" of nginx's stock `main` format.
  combined: (zone) =>
    new CombinedLogFormat(
      'combined',
      { refererAndAgent: true, trailingForwardedFor: true },
      new CompiledLogFormat('combined', COMBINED, { zone, trailingForwardedFor: true }),
    ),
  // nginx's stock nginx.conf calls combined + "$http_x_forwarded_for" `main`; combined reads both.
  main: (zone) =>
    new CombinedLogFormat(
      'main',
      { refererAndAgent: true, trailingForwardedFor: true },
      new CompiledLogFormat('main', COMBINED, { zone, trailingForwardedFor: true }),
    ),
  common: (zone) =>
    new CombinedLogFormat(
      'common',
      { refererAndAgent: false, trailingForwardedFor: false },
      new CompiledLogFormat('common', COMMON, { zone }),
    ),
  apache_combined: (zone) =>
    new CombinedLogFormat(
      'apache_combined',
      { refererAndAgent: true, trailingForwardedFor: false },
      new CompiledLogFormat('apache_combined', COMBINED, { zone }),
    ),
  json: (zone) => new JsonLogFormat(zone),
};

export const FORMAT_NAMES: readonly string[] = Object.keys(FACTORIES);

export const DEFAULT_FORMAT = 'combined';

/**
 * The format called `spec`, or one compiled from `{ logFormat }` (a format string or a whole
 * `log_format` directive). Throws naming the valid formats, or what is wrong with the log_format.
 */
export function getFormat(spec: FormatSpec = DEFAULT_FORMAT, opts: FormatOptions = {}): LogFormat {
  const zone = typeof opts.timeZone === 'object' ? opts.timeZone : resolveTimeZone(opts.timeZone ?? 'UTC');
  if (typeof spec === 'string') {
    const factory = Object.hasOwn(FACTORIES, spec) ? FACTORIES[spec] : undefined;
    if (factory === undefined) {
      throw new Error(
        `unknown log format "${spec.slice(0, 64)}": expected one of ${FORMAT_NAMES.join(', ')}, or a custom log_format`,
      );
    }
    return factory(zone);
  }
  return new CompiledLogFormat(spec.name ?? 'custom', extractFormatString(spec.logFormat), { zone });
}
