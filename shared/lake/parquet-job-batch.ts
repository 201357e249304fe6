// start-parquet-job core: coalesce one raw-objects SQS batch into one Glue run per source bucket
// (in practice exactly one). A run that fails to start fails every message that carried objects
// for it, so no message is acknowledged whose objects no run will see.
import { createHash } from 'node:crypto';
import { config } from '../config.js';
import { columnsArgument, curatedColumns } from '../contract/table-schemas.js';
import type { ObjectRef, PutObject, StartJobRun } from '../ports.js';
import { glueArgs } from './glue-run.js';
import { type Partition, rawEventPartition, runManifestKey, s3Uri } from './keys.js';
import { objectsCreated } from './s3-notifications.js';
import { classifyFailure, isRetryableGlueError } from './sqs-errors.js';

/**
 * Glue limits all run arguments together to 260 KB; keeping the inline key list far below that
 * leaves room for the column list and the partitions (argument sizes are not otherwise documented).
 */
export const MAX_INLINE_KEYS_BYTES = 16 * 1024;

export interface RawObjectsMessage {
  messageId: string;
  body: string;
}

interface MessageObjects {
  messageId: string;
  objects: readonly ObjectRef[];
}

export interface PlannedRun {
  sourceBucket: string;
  /** Messages that carried objects for this run, sorted: they succeed or fail with it. */
  messageIds: string[];
  /** Distinct object keys, sorted. */
  keys: string[];
  /** Distinct partitions of those keys, sorted. */
  partitions: Partition[];
}

export interface ParquetJobPorts {
  startJobRun: StartJobRun;
  putObject: PutObject;
  lakeBucket: string;
}

export interface ParquetBatchOutcome {
  /** messageId → the error to fail it with. */
  failures: Map<string, unknown>;
  started: { jobRunId: string; run: PlannedRun }[];
}

/** The raw event objects one message announces; keys under events/ outside the partition layout are not for us. */
export const rawObjectsIn = (body: string): ObjectRef[] =>
  objectsCreated(body, { prefix: config.prefixes.events })
    .filter((o) => rawEventPartition(o.key) !== undefined)
    .map(({ bucket, key }) => ({ bucket, key }));

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Groups the batch's objects by source bucket; messages with no objects belong to no run. */
export function planParquetRuns(messages: readonly MessageObjects[]): PlannedRun[] {
  const byBucket = new Map<string, { messageIds: string[]; keys: string[] }>();
  for (const { messageId, objects } of messages) {
    for (const { bucket, key } of objects) {
      const group = byBucket.get(bucket) ?? { messageIds: [], keys: [] };
      group.messageIds.push(messageId);
      group.keys.push(key);
      byBucket.set(bucket, group);
    }
  }
  return [...byBucket.entries()].map(([sourceBucket, group]) => {
    const keys = sortedUnique(group.keys);
    const partitionIds = sortedUnique(keys.map((key) => JSON.stringify(rawEventPartition(key))));
    return {
      sourceBucket,
      messageIds: sortedUnique(group.messageIds),
      keys,
      partitions: partitionIds.map((id) => JSON.parse(id) as Partition),
    };
  });
}

export const keysFitInArgument = (keys: readonly string[]): boolean =>
  keys.length <= config.glue.maxKeysInArgument && Buffer.byteLength(JSON.stringify(keys)) <= MAX_INLINE_KEYS_BYTES;

/** Same messages → same manifest object, so a redelivered batch rewrites it instead of adding one. */
export const runManifestRef = (run: PlannedRun, lakeBucket: string): ObjectRef => {
  const id = createHash('sha256')
    .update([run.sourceBucket, ...run.messageIds].join('\n'))
    .digest('hex');
  return { bucket: lakeBucket, key: runManifestKey(id) };
};

/** The run's arguments (glue-run.ts contract, same folder); `manifest` replaces the inline key list. */
export function runArguments(run: PlannedRun, lakeBucket: string, manifest?: ObjectRef): Record<string, string> {
  const keysArgument: Record<string, string> = manifest
    ? { [glueArgs.sourceManifest]: s3Uri(manifest) }
    : { [glueArgs.sourceKeys]: JSON.stringify(run.keys) };
  return {
    [glueArgs.columns]: columnsArgument(curatedColumns),
    [glueArgs.sourceBucket]: run.sourceBucket,
    ...keysArgument,
    [glueArgs.partitions]: JSON.stringify(run.partitions.map((p) => ({ event_type: p.eventType, dt: p.dt }))),
    [glueArgs.destination]: s3Uri({ bucket: lakeBucket, key: config.prefixes.curated }),
    [glueArgs.runMarkerPrefix]: s3Uri({ bucket: lakeBucket, key: config.prefixes.runMarkers }),
  };
}

/** Writes the key manifest when needed, then starts the run; Glue errors come back classified. */
export async function startParquetRun(run: PlannedRun, ports: ParquetJobPorts): Promise<string> {
  let manifest: ObjectRef | undefined;
  if (!keysFitInArgument(run.keys)) {
    manifest = runManifestRef(run, ports.lakeBucket);
    await ports.putObject(manifest, JSON.stringify({ keys: run.keys }), 'application/json');
  }
  try {
    return await ports.startJobRun(runArguments(run, ports.lakeBucket, manifest));
  } catch (error) {
    throw classifyFailure('StartJobRun', error, isRetryableGlueError);
  }
}

/** Parses every message first, then starts one run per source bucket for the messages that carry objects. */
export async function startParquetRuns(
  messages: readonly RawObjectsMessage[],
  ports: ParquetJobPorts,
): Promise<ParquetBatchOutcome> {
  const failures = new Map<string, unknown>();
  const parsed: MessageObjects[] = [];
  for (const { messageId, body } of messages) {
    try {
      parsed.push({ messageId, objects: rawObjectsIn(body) });
    } catch (error) {
      failures.set(messageId, error);
    }
  }
  const started: ParquetBatchOutcome['started'] = [];
  for (const run of planParquetRuns(parsed)) {
    try {
      started.push({ run, jobRunId: await startParquetRun(run, ports) });
    } catch (error) {
      for (const messageId of run.messageIds) failures.set(messageId, error);
    }
  }
  return { failures, started };
}
