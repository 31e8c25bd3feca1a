/**
 * Offsets of an IANA time zone, for logs whose times carry none. Intl is slow (microseconds a call), so
 * offsets are cached per UTC hour: zones change offset on hour boundaries (quarter hours at worst,
 * which only a handful of historical transitions used).
 */

const HOUR_MS = 3_600_000;
const CACHE_LIMIT = 4096;

export interface TimeZone {
  readonly name: string;
  /** Offset from UTC in ms at instant `utcMs` (positive east of Greenwich). */
  offsetAt(utcMs: number): number;
  /** Epoch ms of a wall-clock time in this zone, given as ms-if-it-were-UTC. */
  wallToUtc(wallMs: number): number;
}

/** True when `name` is an IANA zone this runtime knows ('UTC' included). */
export function isValidTimeZone(name: string): boolean {
  // The default zone: asking Intl would load its time-zone data (about 20 ms at start) for nothing.
  if (name === 'UTC' || name === 'Etc/UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const UTC: TimeZone = { name: 'UTC', offsetAt: () => 0, wallToUtc: (ms) => ms };

/** The zone named `name`; throws naming it when the runtime does not know it. */
export function resolveTimeZone(name: string): TimeZone {
  if (name === 'UTC' || name === 'Etc/UTC') return UTC;
  if (!isValidTimeZone(name)) {
    throw new RangeError(
      `unknown time zone "${name.slice(0, 64)}": expected an IANA name such as "Europe/Paris" or "UTC"`,
    );
  }
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const cache = new Map<number, number>();
  const offsetAt = (utcMs: number): number => {
    const hour = Math.floor(utcMs / HOUR_MS);
    const hit = cache.get(hour);
    if (hit !== undefined) return hit;
    const at = hour * HOUR_MS;
    const parts: Record<string, number> = {};
    for (const p of fmt.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const wall = Date.UTC(
      parts.year!,
      parts.month! - 1,
      parts.day!,
      parts.hour!,
      parts.minute!,
      parts.second!,
    );
    const offset = wall - at;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(hour, offset);
    return offset;
  };
  return {
    name,
    offsetAt,
    // Two passes settle the offset except inside a DST gap or overlap, where the earlier offset wins.
    wallToUtc: (wallMs) => {
      const guess = wallMs - offsetAt(wallMs);
      return wallMs - offsetAt(guess);
    },
  };
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const minutes = Math.abs(Math.round(ms / 60_000));
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `UTC${sign}${hh}:${mm}`;
}

/** One line for start-up: how times without a UTC offset will be read. */
export function describeTimeZone(zone: TimeZone, nowMs: number): string {
  return `times without a UTC offset are read as ${zone.name} (now ${formatOffset(zone.offsetAt(nowMs))})`;
}
