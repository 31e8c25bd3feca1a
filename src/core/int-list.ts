/**
 * A growable list of integers on an Int32Array, emptied by `n = 0`: the rule engine's per-field scratch lists
 * (literal hits, candidate rules) without array resizing on every field, the event codec's lengths.
 */
export class IntList {
  items: Int32Array;
  n = 0;

  constructor(capacity = 64) {
    this.items = new Int32Array(capacity);
  }

  push(x: number): void {
    if (this.n === this.items.length) {
      const bigger = new Int32Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.n++] = x;
  }

  /** Ascending, in place (insertion sort: the lists are short). */
  sort(): void {
    const a = this.items;
    for (let i = 1; i < this.n; i++) {
      const x = a[i] as number;
      let j = i - 1;
      while (j >= 0 && (a[j] as number) > x) {
        a[j + 1] = a[j] as number;
        j--;
      }
      a[j + 1] = x;
    }
  }
}
