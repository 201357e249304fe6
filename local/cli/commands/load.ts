// `eventlake load` (npm run load): a stepped load run against the local HTTP endpoint. Every number
// is bounded here; local/tools/load runs it (runLoad(argv) is also what its test calls).
import type { Command } from 'commander';
import { config } from '#shared/config.js';
import { forwardedArgv } from '../forward.js';
import { decimal, decimalList, integer, share } from '../options.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  const maxBatch = config.api.maxEventsPerRequest;
  program
    .command('load')
    .description('a stepped load run against the local HTTP endpoint; table + bench/load-results.json (docs/load.md)')
    .option(
      '--stages <list>',
      'offered requests/s per stage (default 20,50,100,200,400,800)',
      decimalList(0.1, 100_000, 50),
    )
    .option('--stage-seconds <s>', 'seconds each stage sends (default 5)', decimal(0.1, 3_600))
    .option('--batch <n>', `events per request (default ${maxBatch})`, integer(1, maxBatch))
    .option('--max-requests <n>', 'hard cap on requests over the run (default 20000)', integer(1, 10_000_000))
    .option('--max-seconds <s>', 'hard cap on the sending time (default 90)', decimal(1, 86_400))
    .option('--client-in-flight <n>', 'requests the client keeps open at once (default 256)', integer(1, 10_000))
    .option(
      '--timeout-seconds <s>',
      'an unanswered request counts as no answer after this (default 30)',
      decimal(1, 600),
    )
    .option('--settle-seconds <s>', 'time allowed to settle afterwards (default 120)', decimal(1, 86_400))
    .option('--invalid <share>', 'share of invalid events, 0–1 (default 0.02)', share)
    .option('--seed <n>', 'seed of the generator (default 1)', integer(0, 2 ** 31 - 1))
    .option(
      '--time-scale <x>',
      `the pipeline's time scale (default ${config.local.timeScale})`,
      decimal(0.000001, 1_000),
    )
    .option('--data-dir <dir>', 'data directory (default: a fresh temporary one, removed afterwards)')
    .option('--results <file>', 'machine-readable results (default bench/load-results.json)')
    .action(
      cli.run(async (_options: unknown, command: Command) => {
        const { runLoad } = await import('../../tools/load/load.js');
        return runLoad(forwardedArgv(command), cli.io);
      }),
    );
}
