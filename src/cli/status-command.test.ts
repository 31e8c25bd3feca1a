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

  it('shows each output with its batches delivered, failed, dropped and queued', () => {
    const out = formatStatus({
      sources: { 'a.log': base },
      sinks: { 'live-bus': { delivered: 12, failed: 0, dropped: 3, queued: 1 }, 'ioc-collector': { delivered: 7, failed: 2, dropped: 0, queued: 0 } },
      linesPerSecond: 5,
      uptimeS: 2,
    });
    const lines = out.split('\n');
    const at = lines.findIndex((l) => l.startsWith('output'));
    expect(lines[at]!.split(/\s{2,}/)).toEqual(['output', 'delivered', 'failed', 'dropped', 'queued']);
    expect(lines[at + 1]!.split(/\s{2,}/)).toEqual(['live-bus', '12', '0', '3', '1']);
    expect(lines[at + 2]!.split(/\s{2,}/)).toEqual(['ioc-collector', '7', '2', '0', '0']);
  });

  it('shows no output table for a server without sinks', () => {
    expect(formatStatus({ sources: { 'a.log': base }, sinks: {}, linesPerSecond: 5, uptimeS: 2 })).not.toContain('output');
  });
});
