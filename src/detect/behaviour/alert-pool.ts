import { ALERT_SLOW_COUNT, ALERT_STRIDE, saturateRel } from './record-layout.js';

/**
 * Per-scenario last-alert times (int32 ms from base) of IPs that have an overflowing bucket, and slow-probing's
 * count: 40 bytes per such IP, instead of 64 bytes of float64 in every record. Entries are freed when the IP's last
 * overflowing bucket empties or its slot is cleared; storage grows by doubling up to one entry per slot.
 */
export class AlertPool {
  times = new Int32Array(ALERT_STRIDE * 64);
  private free: number[] = [];
  private size = 0;

  get bytes(): number {
    return this.times.byteLength;
  }

  get live(): number {
    return this.size - this.free.length;
  }

  /** A zeroed entry's index. */
  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const i = this.size++;
    if ((i + 1) * ALERT_STRIDE > this.times.length) {
      const times = new Int32Array(this.times.length * 2);
      times.set(this.times);
      this.times = times;
    }
    return i;
  }

  release(i: number): void {
    this.times.fill(0, i * ALERT_STRIDE, (i + 1) * ALERT_STRIDE);
    this.free.push(i);
  }

  rebase(shift: number): void {
    const t = this.times;
    for (let k = 0, n = this.size * ALERT_STRIDE; k < n; k++) {
      if (k % ALERT_STRIDE !== ALERT_SLOW_COUNT) t[k] = saturateRel(t[k]! + shift);
    }
  }
}

