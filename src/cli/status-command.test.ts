import { describe, expect, it } from 'vitest';
import { formatStatus } from './status-command.js';

const base = {
  read: 10,
  parsed: 9,
  unparsed: 1,
  overlong: 0,
  threats: 2,
  stored: 9,
  dropped: 0,
  lagMs: 1500,
};

describe('formatStatus', () => {
  it.each([
    { name: 'no loss', row: { ...base, lostBytes: 0, losses: 0 }, lost: '0' },
    { name: 'bytes lost', row: { ...base, lostBytes: 2000, losses: 1 }, lost: '2000 B in 1' },
    { name: 'loss of unknown size', row: { ...base, lostBytes: 0, losses: 2 }, lost: '0 B in 2' },
    { name: 'an older server without the counter', row: base, lost: '0' },
  ])('shows the lost column: $name', ({ row, lost }) => {
    const out = formatStatus({ sources: { 'a.log': row }, linesPerSecond: 5, uptimeS: 2 });
    const [head, line] = out.split('\n').slice(1);
    const cols = head!.split(/\s{2,}/);
    const cells = line!.split(/\s{2,}/);
    expect(cells[cols.indexOf('lost')]).toBe(lost);
    expect(cells[cols.indexOf('lag')]).toBe('1.5s');
  });
});
