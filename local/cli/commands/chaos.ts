// `eventlake chaos` (npm run chaos): traffic under seeded faults at every hand-off, recovery, and a
// ledger of every event id. Options are bounded here; local/tools/chaos runs it.
import type { Command } from 'commander';
import { faultKinds } from '../../tools/chaos/faults.js';
import { forwardedArgv } from '../forward.js';
import { decimal, integer, share } from '../options.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  const command = program
    .command('chaos')
    .description(
      'traffic under seeded faults at every hand-off, recovery, and a ledger of every event id (docs/chaos.md)',
    )
    .option('--events <n>', 'events to push (default 100000)', integer(1, 10_000_000))
    .option('--seed <n>', 'seed of traffic and faults (default 42)', integer(0, 2 ** 31 - 1))
    .option('--rates <json>', 'fault rates as JSON, e.g. \'{"poison":0.05}\'')
    .option('--duplicate-sends <share>', 'share of app batches sent twice on purpose (default 0.02)', share)
    .option('--data-dir <dir>', 'data directory, emptied first (default a fresh temporary one)')
    .option('--time-scale <x>', "the pipeline's time scale", decimal(0.000001, 1_000))
    .option('--transform-timeout-ms <n>', "Firehose's wait for the transform (default 2000)", integer(1, 600_000))
    .option('--json', 'print the report as JSON');
  for (const kind of faultKinds) command.option(`--rate-${kind} <share>`, `rate of ${kind} faults`, share);
  command.action(
    cli.run(async (_options: unknown, self: Command) => {
      const { runChaos } = await import('../../tools/chaos/chaos.js');
      return runChaos(forwardedArgv(self));
    }),
  );
}
