// Ctrl-C for `eventlake dev`: the first SIGINT/SIGTERM starts the clean stop (flush, settle, last
// dashboard); a second one forces the exit only once the grace period has passed, so a terminal or
// a wrapper delivering one keypress twice can never cut the clean stop short.
export interface SignalOptions {
  /** A second signal within this time of the first is ignored (real ms). */
  graceMs: number;
  write: (text: string) => void;
  exit: (code: number) => void;
}

/** A second signal this soon is the same keypress delivered twice (the terminal and npm both send it). */
const DUPLICATE_MS = 250;

/** Resolves with the exit code once the clean stop of `stop` finished after the first signal. */
export function untilSignal(stop: () => Promise<void>, options: SignalOptions): Promise<number> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (firstAt !== undefined) {
        const waited = performance.now() - firstAt;
        if (waited >= options.graceMs) {
          options.write(`\n${signal} again: exiting now, without a clean stop\n`);
          options.exit(130);
        } else if (waited >= DUPLICATE_MS) {
          options.write(
            `\n${signal}: still stopping cleanly (again after ${Math.ceil(options.graceMs / 1000)} s to exit at once)\n`,
          );
        }
        return;
      }
      firstAt = performance.now();
      options.write(`\n${signal}: stopping — flushing buffers and settling the pipeline\n`);
      stop().then(
        () => {
          options.write('stopped cleanly\n');
          resolve(0);
        },
        (error: unknown) => {
          options.write(`stop failed: ${(error as Error).stack ?? String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
