/**
 * Timing for the worst-case tests (src/detect/worst-case.test.ts, src/detect/tokenise/*worst-case.test.ts):
 * the cost of a run as the fastest of a few tries, and the hostile strings they are made of.
 */

/**
 * Milliseconds of the fastest of up to `tries` runs, stopping early once one is within `budgetMs`. Each run
 * counts the smaller of its CPU time and its wall time: the process's CPU also counts other worker threads
 * of the test runner, wall time also counts waiting for a core; both bound this run's cost from above.
 */
export function fastestMs(run: () => void, budgetMs: number, tries = 5): number {
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    run();
    const wall = performance.now() - w0;
    const d = process.cpuUsage(c0);
    best = Math.min(best, (d.user + d.system) / 1000, wall);
    if (best <= budgetMs) break;
  }
  return best;
}

/** `unit` repeated to exactly `length` characters. */
export function repeatTo(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}
