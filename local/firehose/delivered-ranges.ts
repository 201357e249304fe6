// A set of sequence numbers kept as sorted, merged [first, last] ranges: what the Firehose journal's
// checkpoint records as delivered. Deliveries finish out of order (one object per partition), but
// they come in runs, so the list stays short.
export type Range = [first: number, last: number];

export class DeliveredRanges {
  #ranges: Range[];

  constructor(ranges: readonly Range[] = []) {
    this.#ranges = ranges.map(([a, b]) => [a, b] as Range);
  }

  has(seq: number): boolean {
    let lo = 0;
    let hi = this.#ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [first, last] = this.#ranges[mid] as Range;
      if (seq < first) hi = mid - 1;
      else if (seq > last) lo = mid + 1;
      else return true;
    }
    return false;
  }

  add(seqs: readonly number[]): void {
    const sorted = [...seqs].sort((a, b) => a - b);
    const incoming: Range[] = [];
    for (const seq of sorted) {
      const tail = incoming[incoming.length - 1];
      if (tail && seq <= tail[1] + 1) tail[1] = Math.max(tail[1], seq);
      else incoming.push([seq, seq]);
    }
    this.#ranges = merge([...this.#ranges, ...incoming].sort((a, b) => a[0] - b[0]));
  }

  /** Forgets everything below `seq` (those records' segments are gone). */
  dropBelow(seq: number): void {
    this.#ranges = this.#ranges.filter(([, last]) => last >= seq).map(([first, last]) => [Math.max(first, seq), last]);
  }

  toJSON(): Range[] {
    return this.#ranges;
  }
}

function merge(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const [first, last] of ranges) {
    const tail = out[out.length - 1];
    if (tail && first <= tail[1] + 1) tail[1] = Math.max(tail[1], last);
    else out.push([first, last]);
  }
  return out;
}
