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

/**
 * Growth at or above which a run is quadratic: a scan that is linear in its input costs about 4 times more
 * at 4 times the size (less where fixed costs weigh), a quadratic one about 16.
 */
export const QUADRATIC_GROWTH = 8;

/**
 * How many times the cost grows when the input grows from a quarter of `size` to all of it: the fastest of
 * `tries` runs at each size, the two sizes interleaved so a burst of load on a shared machine falls on both.
 * A ratio, so it holds on a machine of any speed and load where an absolute budget cannot. `at(n)` prepares
 * the input of size n outside the timing and returns the run.
 */
export function growth(at: (size: number) => () => void, size: number, tries = 7): number {
  const small = at(Math.floor(size / 4));
  const large = at(size);
  small();
  large();
  let s = Infinity;
  let l = Infinity;
  for (let i = 0; i < tries; i++) {
    s = Math.min(s, fastestMs(small, 0, 1));
    l = Math.min(l, fastestMs(large, 0, 1));
  }
  return l / Math.max(s, 1e-3);
}

/** A run over its budget, with the way to run it at other sizes for the growth check. */
export interface OverBudget {
  ms: number;
  what: string;
  at: (size: number) => () => void;
  size: number;
}

/**
 * The runs that are over `budgetMs` and grow quadratically: a run over its budget on a loaded machine but
 * growing linearly is the machine, not the code. Anything over `hardCeilingMs` fails whatever its growth:
 * a linear scan that slow is a throughput defect of its own.
 */
export function quadraticOrFar(over: readonly OverBudget[], budgetMs: number, hardCeilingMs = budgetMs * 10): string[] {
  const out: string[] = [];
  for (const o of over) {
    if (o.ms <= budgetMs) continue;
    const g = growth(o.at, o.size);
    if (g >= QUADRATIC_GROWTH || o.ms > hardCeilingMs) out.push(`${o.what} ${o.ms.toFixed(2)} ms (budget ${budgetMs.toFixed(2)}), ${g.toFixed(1)}x at 4x the size`);
  }
  return out;
}
