// Time for the local runtime: a clock (now + timers) that tests can replace, and a time scale that
// shrinks the cloud's waits (210 s visibility timeout, 300 s Firehose buffer) for demos and tests.
// timeScale 1 = real AWS durations; 0.001 = every configured second lasts one millisecond.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs fn once after ms; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** A configured duration in seconds → milliseconds on the local clock. */
export const scaledMs = (seconds: number, timeScale = 1): number => seconds * 1000 * timeScale;

/** Yields to the event loop so pending I/O callbacks and promise chains can run. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A fake clock for tests: time moves only with advance(), which fires due timers in order. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: ManualTimer[] = [];

  constructor(start = Date.UTC(2025, 10, 22, 10, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by ms, firing every timer that falls due (including ones they schedule). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (let next = this.#due(target); next; next = this.#due(target)) {
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  #due(target: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.#timers) {
      if (t.at <= target && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    }
    return best;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await nextTurn();
}
