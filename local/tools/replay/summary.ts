// The closing account of `eventlake replay`: what was read, what the stream accepted, and where
// the replayed records went (curated, late, failed again, processing-failed again).
import type { RedriveOutcome } from './dlq.js';
import type { ReplaySource } from './records.js';
import type { ReplayOutcome } from './run.js';

export interface ReplayIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const row = (label: string, value: number | string): string => `  ${label.padEnd(38)} ${String(value).padStart(8)}\n`;

const describe = (source: ReplaySource): string =>
  source.kind === 'failed' ? `failed events of type ${source.failureType}` : 'Firehose error output';

export function printReplaySummary(source: ReplaySource, o: ReplayOutcome, json: boolean, io: ReplayIo): void {
  if (json) {
    io.stdout(`${JSON.stringify({ source, ...o })}\n`);
    return;
  }
  const stillFailed = Object.values(o.landed.failed).reduce((a, b) => a + b, 0);
  const lines = [
    `eventlake replay — ${describe(source)}\n`,
    row('objects read', o.objectsRead),
    row('objects skipped (in the replay ledger)', o.objectsSkipped),
    row('records read', o.recordsRead),
    row('  unreadable lines', o.unreadable),
    row('  over the record size limit (kept)', o.tooLarge),
    row('  identical payloads (sent once)', o.identical),
    row('records replayed', o.replayed),
    row('  not accepted by Firehose (run again)', o.notAccepted),
    row('now valid (events/)', o.landed.valid),
    row('now late (late/)', o.landed.late),
    row('still failed', stillFailed),
    ...Object.entries(o.landed.failed).map(([type, n]) => row(`  ${type}`, n)),
    row('processing-failed again', o.landed.processingFailed),
    row('rows added to curated Parquet', o.curated.rowsAdded),
    row('duplicates removed by Glue (event_id)', o.curated.duplicatesRemoved),
  ];
  if (o.objectsSkipped > 0 && o.objectsRead === 0) lines.push('\nNothing new to replay; --force replays again.\n');
  io.stdout(lines.join(''));
}

export function printDlqSummary(outcomes: readonly RedriveOutcome[], json: boolean, io: ReplayIo): void {
  if (json) {
    io.stdout(`${JSON.stringify({ dlq: outcomes })}\n`);
    return;
  }
  const lines = ['eventlake replay — dead-letter messages redriven to their source queue\n'];
  for (const o of outcomes) {
    lines.push(row(`${o.queue}: redriven`, o.redriven), row(`${o.queue}: back in the DLQ`, o.backInDlq));
  }
  io.stdout(lines.join(''));
}
