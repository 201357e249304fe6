// `eventlake crash`: the crash ledger — the dev stack as a child process, SIGKILLed at every crash
// point and restarted, then every acknowledged event_id classified (docs/chaos.md). local/tools/chaos runs it.
import type { Command } from 'commander';
import { decimal, integer } from '../options.js';
import type { Cli } from '../program.js';

export function register(program: Command, cli: Cli): void {
  program
    .command('crash')
    .description(
      'SIGKILL the dev stack at every crash point, restart, settle: lost / stranded / doubled ids (docs/chaos.md)',
    )
    .option('--events <n>', 'events sent before each crash point (default 2000)', integer(1, 1_000_000), 2_000)
    .option('--batch <n>', 'events per request (default 50)', integer(1, 500), 50)
    .option('--moment-seconds <s>', 'how long a point waits for its moment (default 30)', decimal(0.1, 3_600), 30)
    .option('--data-dir <dir>', 'data directory, emptied first (default a fresh temporary one)')
    .option('--json', 'print the report as JSON')
    .action(
      cli.run(
        async (options: { events: number; batch: number; momentSeconds: number; dataDir?: string; json?: boolean }) => {
          const [{ runCrash }, { formatCrashReport, crashIsClean }] = await Promise.all([
            import('../../tools/chaos/crash.js'),
            import('../../tools/chaos/crash-report.js'),
          ]);
          cli.io.stderr(`crash ledger: ${options.events} events before each crash point\n`);
          const report = await runCrash({
            eventsPerPoint: options.events,
            batchSize: options.batch,
            momentDeadlineMs: options.momentSeconds * 1000,
            ...(options.dataDir ? { dataDir: options.dataDir } : {}),
            log: (line) => cli.io.stderr(`${line}\n`),
          });
          cli.io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatCrashReport(report));
          return crashIsClean(report) ? 0 : 1;
        },
      ),
    );
}
