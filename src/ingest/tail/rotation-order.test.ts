import { describe, expect, it } from 'vitest';
import { compareAge, rotationName } from './rotation-order.js';

describe('rotationName', () => {
  it.each([
    { name: 'access.log.1', want: { compressed: false, key: { kind: 'index', n: 1 } } },
    { name: 'access.log.2.gz', want: { compressed: true, key: { kind: 'index', n: 2 } } },
    { name: 'access.log-3', want: { compressed: false, key: { kind: 'index', n: 3 } } },
    { name: 'access.log.gz', want: { compressed: true, key: { kind: 'index', n: 0 } } },
    { name: 'access.log-20240102', want: { compressed: false, key: { kind: 'stamp', digits: '20240102' } } },
    {
      name: 'access.log-20240102.gz',
      want: { compressed: true, key: { kind: 'stamp', digits: '20240102' } },
    },
    {
      name: 'access.log.2024-01-02',
      want: { compressed: false, key: { kind: 'stamp', digits: '20240102' } },
    },
    { name: 'access.log', want: null }, // the log itself
    // Compressed in a format that cannot be read back: recognised, flagged unreadable.
    {
      name: 'access.log.1.bz2',
      want: { compressed: false, unreadable: 'bz2', key: { kind: 'index', n: 1 } },
    },
    { name: 'access.log.2.xz', want: { compressed: false, unreadable: 'xz', key: { kind: 'index', n: 2 } } },
    {
      name: 'access.log-20240102.ZST',
      want: { compressed: false, unreadable: 'zst', key: { kind: 'stamp', digits: '20240102' } },
    },
    { name: 'access.log.old.xz', want: null }, // no number: not a rotation by name
    { name: 'error.log.1.xz', want: null },
    { name: 'access.log.old', want: null }, // no number: not a rotation by name
    { name: 'access.log2', want: null }, // another log, not a rotation
    { name: 'access.log-ssl', want: null },
    { name: 'error.log.1', want: null },
  ])('$name', ({ name, want }) => {
    const got = rotationName('access.log', name);
    expect(
      got === null
        ? null
        : {
            compressed: got.compressed,
            ...(got.unreadable ? { unreadable: got.unreadable } : {}),
            key: got.key,
          },
    ).toEqual(want);
  });

  it.each([
    { name: 'access-20240102.log.gz', want: { kind: 'stamp', digits: '20240102' } },
    { name: 'access.old', want: { kind: 'other' } },
  ])('by a configured glob, any name: $name', ({ name, want }) => {
    expect(rotationName('access.log', name, true)?.key).toEqual(want);
  });
});

describe('compareAge', () => {
  const at = (name: string, mtimeMs = 0) => ({ key: rotationName('access.log', name, true)!.key, mtimeMs });
  it.each([
    { older: at('access.log.2'), newer: at('access.log.1'), why: 'a higher number is older' },
    { older: at('access.log.10.gz'), newer: at('access.log.9'), why: 'numbers, not text' },
    { older: at('access.log-20240101'), newer: at('access.log-20240102'), why: 'an earlier stamp is older' },
    {
      older: at('access.log-20241231'),
      newer: at('access.log-2025010100'),
      why: 'stamps of different widths',
    },
    { older: at('access.old', 1000), newer: at('access.older', 2000), why: 'no scheme: modification time' },
    {
      older: at('access.log.1', 1000),
      newer: at('access.old', 2000),
      why: 'across schemes: modification time',
    },
  ])('$why', ({ older, newer }) => {
    expect(compareAge(older, newer)).toBeLessThan(0);
    expect(compareAge(newer, older)).toBeGreaterThan(0);
  });
});
