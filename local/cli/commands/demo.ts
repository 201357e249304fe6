// `eventlake demo` (npm start): a day of generated traffic through the whole local pipeline.
import type { Command } from 'commander';
import { config } from '#shared/config.js';
import { integer } from '../options.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  program
    .command('demo')
    .description('a day of generated traffic through the whole local pipeline, then a ledger and the dashboard')
    .option('--events <n>', 'events to generate', integer(1, 10_000_000), 20_000)
    .option('--seed <n>', 'seed of the traffic generator', integer(0, 2 ** 31 - 1), 7)
    .option('--data-dir <dir>', `data directory, emptied first (default ${config.local.dataDir})`)
    .action(
      cli.run(async (options: { events: number; seed: number; dataDir?: string }) => {
        const { runDemo } = await import('../demo.js');
        return runDemo(options);
      }),
    );
}
