// The local stand-in for the EventBridge Scheduler schedule of infra/functions/lake.yml: every
// `glue.cadence.tickMinutes` (on the scaled clock) it invokes start-parquet-job's tick handler with
// the same event the schedule sends. Ticks never overlap; a failed tick is reported and the next
// one runs as scheduled.
import { config } from '#shared/config.js';
import type { CadenceTickHandler } from '../../functions/start-parquet-job.js';
import { type Clock, scaledMs, systemClock } from '../pipeline/clock.js';

export interface CadenceTicker {
  /** One tick now, after any tick in flight. */
  tick(): Promise<void>;
  /** Starts a run for everything pending (the local runtime's settle), after any tick in flight. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function startCadenceTicker(
  handler: CadenceTickHandler,
  options: { timeScale: number; clock?: Clock; onError?: (error: unknown) => void },
): CadenceTicker {
  const clock = options.clock ?? systemClock;
  const every = scaledMs(config.glue.cadence.tickMinutes * 60, options.timeScale);
  let chain: Promise<void> = Promise.resolve();
  let cancel: (() => void) | undefined;
  let stopped = false;
  const enqueue = (cadence: 'tick' | 'flush', rethrow: boolean): Promise<void> => {
    const next = chain.then(async () => {
      try {
        await handler({ cadence });
      } catch (error) {
        if (rethrow) throw error;
        options.onError?.(error);
      }
    });
    chain = next.catch(() => {});
    return next;
  };
  const schedule = () => {
    if (stopped) return;
    cancel = clock.setTimer(every, () => {
      void enqueue('tick', false).finally(schedule);
    });
  };
  schedule();
  return {
    tick: () => enqueue('tick', true),
    flush: () => enqueue('flush', true),
    stop: async () => {
      stopped = true;
      cancel?.();
      await chain;
    },
  };
}
