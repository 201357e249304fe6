// `eventlake status`: what runs on a data directory and how far the pipeline got (files only).
import type { Command } from 'commander';
import { config } from '#shared/config.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  program
    .command('status')
    .description(
      'what runs, on which data directory: queue depths, pending raw objects, last Glue run, report freshness',
    )
    .option('--data-dir <dir>', `data directory (default $EVENTLAKE_DATA_DIR or ${config.local.dataDir})`)
    .option('--json', 'print the status as JSON')
    .action(
      cli.run(async (options: { dataDir?: string; json?: boolean }) => {
        const [{ readStatus }, { formatStatus }, { defaultDataDir }, path] = await Promise.all([
          import('../status.js'),
          import('../status-print.js'),
          import('../../s3/buckets.js'),
          import('node:path'),
        ]);
        const status = readStatus(options.dataDir === undefined ? defaultDataDir() : path.resolve(options.dataDir));
        cli.io.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
        return status.exists ? 0 : 1;
      }),
    );
}
