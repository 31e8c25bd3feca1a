/** `rampart status`: the pipeline counters of a running server, per source and per output (sink). */
import type { Command } from 'commander';
import { apiKeyFrom, getJson, serverUrl } from './http-client.js';
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

/** One output after the store (live bus, IOC collector), in batches; see src/pipeline/sinks.ts. */
interface SinkRow {
  delivered: number;
  failed: number;
  dropped: number;
  queued: number;
}

export interface StatusSnapshot {
  sources: Record<string, SourceRow>;
  /** Absent from servers older than the sink list. */
  sinks?: Record<string, SinkRow>;
  linesPerSecond: number;
  uptimeS: number;
}

export function registerStatus(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('status')
    .description('show pipeline counters of a running server: lines read, parsed, stored, lag; batches per output')
    .option('--url <url>', 'server address (default http://127.0.0.1:8000, env RAMPART_URL)')
    .option('--api-key <key>', 'API key with the read scope (default: env RAMPART_API_KEY or API_KEY)')
    .option('--json', 'print the raw JSON')
    .action(async (opts: { url?: string; json?: boolean; apiKey?: string }) => {
      const base = serverUrl(opts.url, io.env, io.cwd);
      const apiKey = apiKeyFrom(opts.apiKey, io.env, io.cwd);
      try {
        const { status, body } = await getJson(`${base}/api/metrics/pipeline`, 5000, apiKey);
        if (status === 401 || status === 403) {
          const why = (body as { message?: string } | null)?.message ?? '';
          io.err(`rampart status: ${base} refused: ${why}\n${apiKey ? '' : 'Give a key with the read scope: --api-key or RAMPART_API_KEY.\n'}`);
          setExit(1);
          return;
        }
        if (status !== 200) {
          io.err(`rampart status: ${base} answered ${status}: ${JSON.stringify(body)}\n`);
          setExit(1);
          return;
        }
        if (opts.json) {
          io.out(JSON.stringify(body, null, 2) + '\n');
          return;
        }
        io.out(formatStatus(body as StatusSnapshot));
      } catch (err) {
        io.err(`rampart status: cannot reach ${base}: ${(err as Error).message}\n`);
        setExit(1);
      }
    });
}

export function formatStatus(snap: StatusSnapshot): string {
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
  let out = `uptime ${snap.uptimeS}s, ${snap.linesPerSecond} lines/s on average\n` + table(head, rows) + (rows.length === 0 ? '(no sources yet)\n' : '');
  const sinks = Object.entries(snap.sinks ?? {});
  if (sinks.length > 0) {
    // A sink that fails or drops loses alerts or IOCs while ingest goes on: the counters say so.
    const sinkHead = ['output', 'delivered', 'failed', 'dropped', 'queued'];
    out += '\n' + table(sinkHead, sinks.map(([name, c]) => [name, String(c.delivered), String(c.failed), String(c.dropped), String(c.queued)]));
  }
  return out;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}
