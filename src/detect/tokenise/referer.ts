/**
 * How the markup and shell tokenisers read a referer: another page's URL, so its text before `?` is read
 * whole and then each query argument value (`+` as space) on its own; the `&` between arguments is not a
 * shell separator, and a payload sits in an argument value.
 */
import { forEachArg } from '../transforms/index.js';
import type { TokenFinding } from './types.js';

/** Query argument values of a referer read at most. */
export const MAX_REFERER_VALUES = 16;

/** The first finding of `inspect` over the referer's parts (already percent-decoded once by the detector). */
export function refererFinding(referer: string, inspect: (value: string) => TokenFinding | null): TokenFinding | null {
  const q = referer.indexOf('?');
  const head = inspect(q === -1 ? referer : referer.slice(0, q));
  if (head !== null || q === -1) return head;
  let found: TokenFinding | null = null;
  forEachArg(referer.slice(q + 1), MAX_REFERER_VALUES, (_name, value) => {
    if (found === null && value !== '') found = inspect(value.indexOf('+') === -1 ? value : value.replaceAll('+', ' '));
  });
  return found;
}
