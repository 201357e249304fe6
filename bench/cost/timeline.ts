// A simulated clock (seconds) with a time-ordered agenda, and the SQS → Lambda event source mapping
// on it: a batch is invoked when it holds batchSize messages or its batching window, opened by its
// first message, ends (docs/contracts.md §3). One poller, so one open batch per queue at a time.

interface Due {
  at: number;
  seq: number;
  fn: () => void | Promise<void>;
}

export class Timeline {
  #now = 0;
  #seq = 0;
  #agenda: Due[] = [];

  get now(): number {
    return this.#now;
  }

  at(time: number, fn: () => void | Promise<void>): void {
    const item = { at: Math.max(time, this.#now), seq: this.#seq++, fn };
    let lo = 0;
    let hi = this.#agenda.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.#agenda[mid] as Due;
      if (m.at < item.at || (m.at === item.at && m.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.#agenda.splice(lo, 0, item);
  }

  /** Runs everything due up to `until` in time order, including what it schedules. */
  async run(until: number): Promise<void> {
    while (this.#agenda.length > 0 && (this.#agenda[0] as Due).at <= until) {
      const next = this.#agenda.shift() as Due;
      this.#now = next.at;
      await next.fn();
    }
    this.#now = Math.max(this.#now, until);
  }

  get pending(): number {
    return this.#agenda.length;
  }
}

export interface QueueCounts {
  messages: number;
  batches: number;
}

export class EsmQueue {
  readonly counts: QueueCounts = { messages: 0, batches: 0 };
  #open: string[] = [];
  #generation = 0;

  constructor(
    readonly timeline: Timeline,
    readonly settings: { batchSize: number; batchingWindowSeconds: number },
    readonly consume: (bodies: string[], now: number) => Promise<void>,
    readonly onCount: (what: keyof QueueCounts, n: number) => void = () => {},
  ) {}

  send(body: string): void {
    this.counts.messages += 1;
    this.onCount('messages', 1);
    this.#open.push(body);
    if (this.#open.length === 1) {
      const generation = this.#generation;
      this.timeline.at(this.timeline.now + this.settings.batchingWindowSeconds, () =>
        generation === this.#generation ? this.#flush() : undefined,
      );
    }
    if (this.#open.length >= this.settings.batchSize) this.timeline.at(this.timeline.now, () => this.#flushFull());
  }

  #flushFull(): Promise<void> | undefined {
    return this.#open.length >= this.settings.batchSize ? this.#flush() : undefined;
  }

  async #flush(): Promise<void> {
    const batch = this.#open.splice(0, this.settings.batchSize);
    this.#generation += 1;
    if (this.#open.length > 0) {
      const generation = this.#generation;
      this.timeline.at(this.timeline.now + this.settings.batchingWindowSeconds, () =>
        generation === this.#generation ? this.#flush() : undefined,
      );
    }
    if (batch.length === 0) return;
    this.counts.batches += 1;
    this.onCount('batches', 1);
    await this.consume(batch, this.timeline.now);
  }
}
