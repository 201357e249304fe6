// Planning and starting one Glue run for a set of raw objects (one claim of the cadence gate,
// gate.ts): keys and partitions, the inline key list or a manifest, the exact run arguments.
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

interface MessageObjects {
  messageId: string;
  objects: readonly ObjectRef[];
}

export interface PlannedRun {
  sourceBucket: string;
  /** Ids of what asked for this run (the gate's claim id), sorted: they name its manifest. */
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

/** The raw event objects one message announces; keys under events/ outside the partition layout are not for us. */
export const rawObjectsIn = (body: string): (ObjectRef & { size: number })[] =>
  objectsCreated(body, { prefix: config.prefixes.events })
    .filter((o) => rawEventPartition(o.key) !== undefined)
    .map(({ bucket, key, size }) => ({ bucket, key, size }));

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
