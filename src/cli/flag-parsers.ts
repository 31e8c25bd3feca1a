/**
 * Parsers for flag values, checked when the command line is read: a bad value stops with one line
 * naming the flag, the value and what was expected (commander's InvalidArgumentError), before any
 * file or socket is opened.
 */
import { InvalidArgumentError } from 'commander';

/** A whole number in [min, max]; digits only, so "1e3", "0x10", " 5" and "" are refused. */
export function wholeNumber(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const n = /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max.toLocaleString('en-US')}.`);
    }
    return n;
  };
}

/** An ISO 8601 time (with a zone or Z), as epoch milliseconds. */
export function isoTime(raw: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO 8601 time such as 2025-01-15T08:00:00Z.');
  return ms;
}
