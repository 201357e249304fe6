// `eventlake query "<SQL>"`: ad-hoc SQL on the local lake with the local Athena.
import type { Command } from 'commander';
import { config } from '#shared/config.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  program
    .command('query')
    .description('ad-hoc SQL on the local lake: table, rows, time, bytes scanned, Athena price')
    .argument('<sql...>', 'the SQL (quote it); tables events, raw_events, failed_events')
    .option('--data-dir <dir>', `data directory (default $EVENTLAKE_DATA_DIR or ${config.local.dataDir})`)
    .option('--json', 'print { columns, rows, statistics } as JSON')
    .addHelpText('after', () => `\n${queryHelpText()}`)
    .action(
      cli.run(async (sql: string[], options: { dataDir?: string; json?: boolean }) => {
        const { query } = await import('../query.js');
        return query({ sql: sql.join(' '), dataDir: options.dataDir, json: options.json ?? false }, cli.io);
      }),
    );
}

const queryHelpText = () => {
  const { pricePerTBScannedUSD, minimumBytesBilled, database } = config.athena;
  return `Database ${database}: events (curated Parquet), raw_events and failed_events (the ingest bucket's
NDJSON), partitioned by event_type/type and dt: filter on them to scan less. Prints at most 50 rows,
the row count, the time, the bytes scanned and the Athena price of that scan ($${pricePerTBScannedUSD}
per TB, at least ${minimumBytesBilled / 1024 / 1024} MB billed per query).
Exit code 0 on success, 1 when the query fails or the scan cutoff stops it, 2 on bad usage.`;
};
