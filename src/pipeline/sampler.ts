/**
 * Logs a sample of bad lines instead of every one: a garbage-spewing source must not flood the
 * log. The first few per source are logged, then at most one per interval.
 */
export interface LogLike {
  warn(obj: object, msg: string): void;
}

export class BadLineSampler {
  private readonly seen = new Map<string, { count: number; lastLogged: number }>();

  constructor(
    private readonly logger: LogLike,
    private readonly now: () => number = Date.now,
    private readonly burst = 5,
    private readonly intervalMs = 60_000,
  ) {}

  report(source: string, line: number, reason: string, text: string): void {
    let s = this.seen.get(source);
    if (!s) {
      s = { count: 0, lastLogged: 0 };
      this.seen.set(source, s);
    }
    s.count++;
    const t = this.now();
    if (s.count <= this.burst || t - s.lastLogged >= this.intervalMs) {
      s.lastLogged = t;
      this.logger.warn(
        { source, line, reason, sample: text.slice(0, 200), badLinesSoFar: s.count },
        'unparsed log line',
      );
    }
  }
}
