// `eventlake dev` (npm run dev): the long-running local stack until Ctrl-C.
import type { Command } from 'commander';
import { config } from '#shared/config.js';
import { integer } from '../options.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  program
    .command('dev')
    .description('the long-running local stack: HTTP API + live dashboard; Ctrl-C flushes, settles and stops')
    .option('--port <n>', 'port on 127.0.0.1; 0 picks a free one', integer(0, 65_535), config.local.port)
    .option(
      '--data-dir <dir>',
      `data directory, kept between runs (default $EVENTLAKE_DATA_DIR or ${config.local.dataDir})`,
    )
    .action(
      cli.run(async (options: { port: number; dataDir?: string }) => {
        const { runDev } = await import('../dev.js');
        return runDev(options);
      }),
    );
}
