// Recovery after the chaos: exactly what an operator runs (docs/operations.md) —
// `eventlake replay processing-failed` and `eventlake replay dlq` on the stopped pipeline's data
// directory — in rounds, until nothing is left in a DLQ or under the Firehose error prefixes.

import { localBucketNames } from '../../s3/buckets.js';
import { LocalS3 } from '../../s3/s3.js';
import { dlqQueueNames, readStoredDlq } from '../../sqs/dlq-store.js';
import type { RedriveOutcome } from '../replay/dlq.js';
import { isInLedger, readReplayLedger } from '../replay/ledger.js';
import { objectLines, replayKeys } from '../replay/records.js';
import { runReplay } from '../replay/replay.js';
import type { ReplayOutcome } from '../replay/run.js';

export interface Leftover {
  /** Error-prefix objects the replay ledger does not list as replayed, and the records in them. */
  processingFailedObjects: number;
  processingFailedRecords: number;
  /** Messages stored from the DLQs (<dataDir>/_dlq/), per queue. */
  dlqMessages: Record<string, number>;
}

export interface RecoveryRound {
  processingFailed: Pick<ReplayOutcome, 'objectsRead' | 'recordsRead' | 'replayed' | 'notAccepted'> & {
    exitCode: number;
  };
  dlq: RedriveOutcome[];
}

export interface Recovery {
  /** What the chaos left behind, before the first round. */
  found: Leftover;
  rounds: RecoveryRound[];
  /** What is still there after the last round (all zero when recovery worked). */
  left: Leftover;
}

const dlqTotal = (l: Leftover): number => Object.values(l.dlqMessages).reduce((a, b) => a + b, 0);
export const isEmpty = (l: Leftover): boolean => l.processingFailedObjects === 0 && dlqTotal(l) === 0;

export async function leftover(dataDir: string): Promise<Leftover> {
  const s3 = new LocalS3({ dataDir });
  const ledger = await readReplayLedger(dataDir);
  const keys = await replayKeys(s3.listKeys, localBucketNames.ingest, { kind: 'processing-failed' }, undefined);
  const todo = keys.filter((key) => !isInLedger(ledger, key));
  let records = 0;
  for (const key of todo) records += objectLines(await s3.getObject({ bucket: localBucketNames.ingest, key })).length;
  const dlqMessages: Record<string, number> = {};
  for (const queue of dlqQueueNames) dlqMessages[queue] = (await readStoredDlq(dataDir, queue)).length;
  return { processingFailedObjects: todo.length, processingFailedRecords: records, dlqMessages };
}

/** Runs the documented replay commands (their own code, through runReplay) until nothing is left or maxRounds. */
export async function recover(dataDir: string, maxRounds: number): Promise<Recovery> {
  const found = await leftover(dataDir);
  const rounds: RecoveryRound[] = [];
  let left = found;
  while (!isEmpty(left) && rounds.length < maxRounds) {
    const processingFailed = await replayCommand<ReplayOutcome>(['processing-failed', '--data-dir', dataDir]);
    const dlq = await replayCommand<{ dlq: RedriveOutcome[] }>(['dlq', '--data-dir', dataDir]);
    const { objectsRead, recordsRead, replayed, notAccepted } = processingFailed.summary;
    rounds.push({
      processingFailed: { objectsRead, recordsRead, replayed, notAccepted, exitCode: processingFailed.exitCode },
      dlq: dlq.summary.dlq,
    });
    left = await leftover(dataDir);
  }
  return { found, rounds, left };
}

/** `eventlake replay <argv> --json`, its JSON summary parsed; a usage or I/O error throws with its stderr. */
async function replayCommand<T>(argv: string[]): Promise<{ exitCode: number; summary: T }> {
  const out: string[] = [];
  const err: string[] = [];
  const exitCode = await runReplay([...argv, '--json'], {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
  });
  if (exitCode > 1 || out.length === 0) throw new Error(`eventlake replay ${argv[0]} failed: ${err.join('')}`);
  return { exitCode, summary: JSON.parse(out.join('')) as T };
}
