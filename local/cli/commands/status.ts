// `eventlake status`: what runs on a data directory and how far the pipeline got (files only).
import type { Command } from 'commander';
import { config } from '#shared/config.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  program
    .command('status')
    .description(
      'what runs, on which data directory: queue depths, pending raw objects, last Glue run, failed and abandoned runs, report freshness',
    )
    .option('--data-dir <dir>', `data directory (default $EVENTLAKE_DATA_DIR or ${config.local.dataDir})`)
    .option('--json', 'print the status as JSON')
    .action(
      cli.run(async (options: { dataDir?: string; json?: boolean }) => {
        const [{ readStatus }, { formatStatus }, { readRetryStatus, formatRetryStatus }, { defaultDataDir }, path] =
          await Promise.all([
            import('../status.js'),
            import('../status-print.js'),
            import('../../eventbridge/retry-status.js'),
            import('../../s3/buckets.js'),
            import('node:path'),
          ]);
        const dataDir = options.dataDir === undefined ? defaultDataDir() : path.resolve(options.dataDir);
        const status = readStatus(dataDir);
        // Failed Glue runs and report queries by retry chain (local/eventbridge/retry-status.ts).
        const retries = status.exists ? readRetryStatus(dataDir) : undefined;
        const text = formatStatus(status) + (retries ? formatRetryStatus(retries) : '');
        cli.io.stdout(options.json ? `${JSON.stringify({ ...status, retries }, null, 2)}\n` : text);
        return status.exists ? 0 : 1;
      }),
    );
}
