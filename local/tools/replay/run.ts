// Re-submits stored records through the direct delivery stream of a started pipeline (records of the
// device path through the devices stream, device-records.ts) — the same
// PutRecordBatch limits and retries as the ingest λ, the same transform, one event per record, in
// waves that open few partitions at a time (waves.ts) — settles the pipeline and accounts for
// where every record went, from the objects the replay added to the ingest bucket.
import { createHash } from 'node:crypto';
import { config } from '#shared/config.js';
import { putWithRetry } from '#shared/ingest/put-with-retry.js';
import type { ObjectRef } from '#shared/ports.js';
import type { LocalPipeline } from '../../pipeline/pipeline.js';
import { settle } from '../../pipeline/settle.js';
import { localBucketNames } from '../../s3/buckets.js';
import { deviceRecords, type KinesisRecord } from './device-records.js';
import { errorOutputTypes, objectLines } from './records.js';
import { wavesOf } from './waves.js';

/** A stored line → the payloads to re-submit (one event each), or undefined when unreadable. */
export type LineDecoder = (line: string, key: string) => Buffer | Buffer[] | undefined;

export interface ReplayPacing {
  /** Partitions (event type × date) a wave may open; the stream is flushed between waves. */
  partitionsPerWave: number;
}

export const defaultPacing: ReplayPacing = { partitionsPerWave: 100 };

export interface ReplayOutcome {
  objectsRead: number;
  /** Objects the ledger says were replayed before (skipped without --force). */
  objectsSkipped: number;
  recordsRead: number;
  /** Lines that are not a readable record. */
  unreadable: number;
  /** Payloads over Firehose's per-record limit: they can never be put, so they stay failed. */
  tooLarge: number;
  /** Byte-identical payloads met again in this run (e.g. an original and a replay's copy): sent once. */
  identical: number;
  /** Accepted by the delivery stream. */
  replayed: number;
  /** Still refused by the delivery stream when the retry budget ran out. */
  notAccepted: number;
  landed: { valid: number; late: number; failed: Record<string, number>; processingFailed: number };
  curated: { rowsAdded: number; duplicatesRemoved: number };
}

/** Records handed to putWithRetry at a time: bounds memory; each call splits into ≤ 500-record / 4 MiB batches. */
const SUBMIT_SLICE = 2_000;
const SUBMIT_BUDGET_MS = 5 * 60_000;

const ingestRef = (key: string): ObjectRef => ({ bucket: localBucketNames.ingest, key });

export const emptyOutcome = (): ReplayOutcome => ({
  objectsRead: 0,
  objectsSkipped: 0,
  recordsRead: 0,
  unreadable: 0,
  tooLarge: 0,
  identical: 0,
  replayed: 0,
  notAccepted: 0,
  landed: { valid: 0, late: 0, failed: {}, processingFailed: 0 },
  curated: { rowsAdded: 0, duplicatesRemoved: 0 },
});

export interface ReplayRun {
  outcome: ReplayOutcome;
  recordsPerObject: Map<string, number>;
  /** Ingest-bucket objects the replayed records were written to (events, late, failed, error output). */
  written: string[];
}

/** Replays every record of the given ingest-bucket objects, settles the pipeline and accounts for the result. */
export async function replayObjects(
  p: LocalPipeline,
  keys: readonly string[],
  decode: LineDecoder,
  pacing: ReplayPacing = defaultPacing,
): Promise<ReplayRun> {
  const outcome = emptyOutcome();
  const recordsPerObject = new Map<string, number>();
  const before = await outputKeys(p);
  const runsBefore = p.glue.runs().length;
  const seen = new Set<string>();
  let slice: Buffer[] = [];
  const deviceSlice: KinesisRecord[] = [];
  for (const key of keys) {
    const lines = objectLines(await p.s3.getObject(ingestRef(key)));
    recordsPerObject.set(key, lines.length);
    outcome.objectsRead += 1;
    outcome.recordsRead += lines.length;
    for (const line of lines) {
      const device = deviceRecords(line, key);
      if (device !== undefined) {
        for (const record of device) if (isSendable(record.data, seen, outcome)) deviceSlice.push(record);
        continue;
      }
      const decoded = decode(line, key);
      if (decoded === undefined) outcome.unreadable += 1;
      else
        for (const payload of Array.isArray(decoded) ? decoded : [decoded]) {
          if (isSendable(payload, seen, outcome)) slice.push(payload);
        }
    }
    if (slice.length >= SUBMIT_SLICE) {
      await submitInWaves(p, slice, outcome, pacing);
      slice = [];
    }
  }
  if (slice.length > 0) await submitInWaves(p, slice, outcome, pacing);
  await submitToDevices(p, deviceSlice, outcome);
  await settle(p);
  const written = [...(await outputKeys(p))].filter((key) => !before.has(key));
  outcome.landed = await countLanded(p, written);
  for (const run of p.glue.runs().slice(runsBefore)) {
    outcome.curated.rowsAdded += run.marker?.rows_written ?? 0;
    outcome.curated.duplicatesRemoved += run.marker?.duplicates_removed ?? 0;
  }
  return { outcome, recordsPerObject, written };
}

/** Within Firehose's record limit and not sent already in this run; counts why not. */
function isSendable(payload: Buffer, seen: Set<string>, outcome: ReplayOutcome): boolean {
  if (payload.byteLength > config.firehose.maxRecordBytes) {
    outcome.tooLarge += 1;
    return false;
  }
  const digest = createHash('sha256').update(payload).digest('base64');
  if (seen.has(digest)) {
    outcome.identical += 1;
    return false;
  }
  seen.add(digest);
  return true;
}

/** A wave at a time, each opening at most pacing.partitionsPerWave partitions, closed before the next. */
async function submitInWaves(
  p: LocalPipeline,
  records: Buffer[],
  outcome: ReplayOutcome,
  pacing: ReplayPacing,
): Promise<void> {
  const waves = wavesOf(records, pacing.partitionsPerWave);
  for (const [i, wave] of waves.entries()) {
    await submit(p, wave.payloads, outcome);
    if (i < waves.length - 1) await p.direct.flush();
  }
}

/** Device-path records back into the devices stream, as its Kinesis source delivers them (≤ 500 a call). */
async function submitToDevices(p: LocalPipeline, records: readonly KinesisRecord[], outcome: ReplayOutcome) {
  for (let start = 0; start < records.length; start += config.firehose.putRecordBatchMaxRecords) {
    const results = await p.devices.putFromKinesis(
      records.slice(start, start + config.firehose.putRecordBatchMaxRecords),
    );
    const refused = results.filter((r) => !r.ok).length;
    outcome.notAccepted += refused;
    outcome.replayed += results.length - refused;
  }
}

async function submit(p: LocalPipeline, records: Buffer[], outcome: ReplayOutcome): Promise<void> {
  const deadline = Date.now() + SUBMIT_BUDGET_MS;
  const result = await putWithRetry(records, {
    putRecords: p.direct.putRecordBatch,
    remainingMs: () => deadline - Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  });
  outcome.notAccepted += result.failed.length;
  outcome.replayed += records.length - result.failed.length;
}

const outputPrefixes = [
  config.prefixes.events,
  config.prefixes.late,
  config.prefixes.failed,
  ...errorOutputTypes.map((type) => `${type}/`),
];

async function outputKeys(p: LocalPipeline): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const prefix of outputPrefixes) {
    for (const key of await p.s3.listKeys(localBucketNames.ingest, prefix)) keys.add(key);
  }
  return keys;
}

/** Counts the records in the given objects by zone (and failure type). */
async function countLanded(p: LocalPipeline, keys: readonly string[]): Promise<ReplayOutcome['landed']> {
  const landed = emptyOutcome().landed;
  for (const key of keys) {
    const records = objectLines(await p.s3.getObject(ingestRef(key))).length;
    if (key.startsWith(config.prefixes.events)) landed.valid += records;
    else if (key.startsWith(config.prefixes.late)) landed.late += records;
    else if (key.startsWith(config.prefixes.failed)) {
      const type = /^[^/]+\/type=([^/]+)\//.exec(key)?.[1] ?? 'unknown';
      landed.failed[type] = (landed.failed[type] ?? 0) + records;
    } else landed.processingFailed += records;
  }
  return landed;
}
