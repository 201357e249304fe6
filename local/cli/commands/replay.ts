// `eventlake replay <source>`: re-submit failed events, processing-failed records or DLQ messages.
// The options are checked here; local/tools/replay runs the replay (its runReplay(argv) is also
// what the chaos recovery calls).
import { Argument, type Command } from 'commander';
import { config } from '#shared/config.js';
import { forwardedArgv } from '../forward.js';
import { isoDate } from '../options.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  program
    .command('replay')
    .description('re-submit failed events, processing-failed records or DLQ messages (docs/operations.md)')
    .addArgument(new Argument('<source>', 'what to replay').choices(['failed', 'processing-failed', 'dlq']))
    .option('--type <failure_type>', 'with failed: the failure type whose records to replay')
    .option('--since <yyyy-MM-dd>', 'with failed and processing-failed: partitions from this date on', isoDate)
    .option('--queue <name>', 'with dlq: one dead-letter queue (default all)')
    .option('--force', 'replay objects the ledger says were replayed before')
    .option('--json', 'print the summary as JSON')
    .option('--data-dir <dir>', `data directory (default $EVENTLAKE_DATA_DIR or ${config.local.dataDir})`)
    .addHelpText(
      'after',
      '\nStop `npm run dev` on the same data directory first. Exit 0 when every record was accepted.',
    )
    .action(
      cli.run(async (_source: string, _options: unknown, command: Command) => {
        const { runReplay } = await import('../../tools/replay/replay.js');
        return runReplay(forwardedArgv(command), cli.io);
      }),
    );
}
