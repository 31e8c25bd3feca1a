/** `rampart status`: the pipeline counters of a running server, per source and per stage. */
import type { Command } from 'commander';
import { getJson, serverUrl } from './http-client.js';
import type { CliIO } from './io.js';

interface SourceRow {
  read: number;
  parsed: number;
  unparsed: number;
  overlong: number;
  threats: number;
  stored: number;
  dropped: number;
  /** Absent from servers older than the counter. */
  lostBytes?: number;
  losses?: number;
  lagMs: number | null;
}

export function registerStatus(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('status')
    .description('show pipeline counters of a running server: lines read, parsed, unparsed, stored, lag')
    .option('--url <url>', 'server address (default http://127.0.0.1:8000, env RAMPART_URL)')
    .option('--json', 'print the raw JSON')
    .action(async (opts: { url?: string; json?: boolean }) => {
      const base = serverUrl(opts.url, io.env, io.cwd);
      try {
        const { status, body } = await getJson(`${base}/api/metrics/pipeline`);
        if (status !== 200) {
          io.err(`rampart status: ${base} answered ${status}: ${JSON.stringify(body)}\n`);
          setExit(1);
          return;
        }
        if (opts.json) {
          io.out(JSON.stringify(body, null, 2) + '\n');
          return;
        }
        io.out(formatStatus(body as { sources: Record<string, SourceRow>; linesPerSecond: number; uptimeS: number }));
      } catch (err) {
        io.err(`rampart status: cannot reach ${base}: ${(err as Error).message}\n`);
        setExit(1);
      }
    });
}

export function formatStatus(snap: { sources: Record<string, SourceRow>; linesPerSecond: number; uptimeS: number }): string {
  const head = ['source', 'read', 'parsed', 'unparsed', 'overlong', 'threats', 'stored', 'dropped', 'lost', 'lag'];
  const rows = Object.entries(snap.sources).map(([id, s]) => [
    id,
    String(s.read),
    String(s.parsed),
    String(s.unparsed),
    String(s.overlong),
    String(s.threats),
    String(s.stored),
    String(s.dropped),
    // A loss may have no known size (a file replaced while Rampart was stopped): show how many too.
    s.losses ? `${s.lostBytes ?? 0} B in ${s.losses}` : '0',
    s.lagMs === null ? '-' : `${(s.lagMs / 1000).toFixed(1)}s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  return (
    `uptime ${snap.uptimeS}s, ${snap.linesPerSecond} lines/s on average\n` +
    line(head) +
    rows.map(line).join('') +
    (rows.length === 0 ? '(no sources yet)\n' : '')
  );
}
