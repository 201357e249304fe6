// Seeded fault injection for the chaos run: every hand-off fails some calls the way the real
// service would, at a configurable rate, and counts what it did so the ledger can show it.
import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { QueueName } from '#shared/config.js';
import type { PutRecordResult, PutRecords, StartJobRun } from '#shared/ports.js';
import type { TransformHandler } from '../../firehose/processor.js';
import type { PipelineFaults } from '../../pipeline/pipeline.js';
import type { SqsHandler } from '../../sqs/sqs.js';
import { seededRandom } from '../traffic/traffic.js';

export interface ChaosRates {
  /** PutRecordBatch calls answering some entries ServiceUnavailableException (those are not taken). */
  putPartial: number;
  /** PutRecordBatch calls failing whole. */
  putCall: number;
  /** Transform invocations that throw. */
  transformThrow: number;
  /** Transform invocations that never answer (Firehose times them out). */
  transformHang: number;
  /** Transform batches that fail every attempt, so Firehose writes them under the error prefix. */
  transformPoison: number;
  /** SQS consumer invocations that crash: the whole batch comes back after the visibility timeout. */
  consumerCrash: number;
  /** SQS messages the consumer fails on every receive, until they reach the DLQ. */
  poison: number;
  duplicateNotification: number;
  /** StartJobRun calls refused with ConcurrentRunsExceededException. */
  glueRefuse: number;
  /** Glue runs (of two or more partitions) that die while staging Parquet, after the first partition. */
  glueCrash: number;
  /** Glue runs that die after their Parquet files are in the lake, before the run marker and bookmark. */
  glueCrashAfterPublish: number;
  athenaThrottle: number;
  athenaFail: number;
}

export type FaultKind = keyof ChaosRates;

export const defaultChaosRates: ChaosRates = {
  putPartial: 0.05,
  putCall: 0.05,
  transformThrow: 0.05,
  transformHang: 0.02,
  transformPoison: 0.03,
  consumerCrash: 0.05,
  poison: 0.01,
  duplicateNotification: 0.05,
  glueRefuse: 0.2,
  glueCrash: 0.1,
  glueCrashAfterPublish: 0.1,
  athenaThrottle: 0.05,
  athenaFail: 0.05,
};

export const faultKinds = Object.keys(defaultChaosRates) as FaultKind[];

export type FaultCounts = Record<FaultKind, number>;

class InjectedFault extends Error {
  constructor(name: string, message: string) {
    super(`${message} (injected by the chaos run)`);
    this.name = name;
  }
}

/** One PRNG per fault kind: the n-th decision of a kind does not depend on how other kinds interleave. */
function faultDice(rates: ChaosRates, seed: number) {
  const streams = new Map<FaultKind, () => number>();
  const counts = Object.fromEntries(faultKinds.map((k) => [k, 0])) as FaultCounts;
  const randomOf = (kind: FaultKind): (() => number) => {
    let stream = streams.get(kind);
    if (!stream) {
      stream = seededRandom(createHash('sha256').update(`${seed}/${kind}`).digest().readUInt32LE(0));
      streams.set(kind, stream);
    }
    return stream;
  };
  // Every enabled kind fires at its first safe opportunity, then at its rate: a short run still
  // exercises every kind, so "never fired" can only mean a hook that is not wired.
  const fire = (kind: FaultKind, mayForce = true): boolean => {
    const forced = mayForce && rates[kind] > 0 && counts[kind] === 0;
    const hit = randomOf(kind)() < rates[kind] || forced;
    if (hit) counts[kind] += 1;
    return hit;
  };
  return { fire, randomOf, counts };
}

type Dice = ReturnType<typeof faultDice>;

export function chaosFaults(rates: ChaosRates, seed: number, maxReceiveCount: number) {
  const dice = faultDice(rates, seed);
  const { fire } = dice;
  // Runs are sequential (MaxConcurrentRuns 1): one crash decision per run, made at its second partition.
  let runDecided = false;
  const faults: PipelineFaults = {
    putRecords: (port) => flakyPutRecords(port, dice),
    transform: (handler) => flakyTransform(handler, dice),
    consumer: (_queue: QueueName, handler) => flakyConsumer(handler, dice, maxReceiveCount),
    notification: (_queue, send) => async (body) => {
      const sent = await send(body);
      if (fire('duplicateNotification')) await send(body);
      return sent;
    },
    startJobRun:
      (port: StartJobRun): StartJobRun =>
      async (args) => {
        if (fire('glueRefuse')) throw new InjectedFault('ConcurrentRunsExceededException', 'Concurrent runs exceeded');
        return port(args);
      },
    glue: {
      beforePartitionWrite: (_partition, index) => {
        if (index < 1 || runDecided) return;
        // A crashed run never reaches beforeRunMarker: leaving runDecided false lets the next run decide.
        if (fire('glueCrash')) throw new InjectedFault('Error', 'Glue worker lost halfway through the write');
        runDecided = true;
      },
      beforeRunMarker: () => {
        runDecided = false;
        if (fire('glueCrashAfterPublish')) throw new InjectedFault('Error', 'Glue driver lost before the run marker');
      },
    },
    athena: {
      throttleStart: () => fire('athenaThrottle'),
      failExecution: () => fire('athenaFail'),
    },
  };
  return { faults, counts: dice.counts };
}

function flakyTransform(handler: TransformHandler, { fire }: Dice): TransformHandler {
  // Keyed by the batch's first record id: Firehose retries an invocation with the same records.
  const poisoned = new Map<string, boolean>();
  return async (event) => {
    const first = event.records[0]?.recordId ?? '';
    if (!poisoned.has(first)) poisoned.set(first, fire('transformPoison'));
    if (poisoned.get(first)) throw new InjectedFault('Error', 'transform fails on this batch');
    if (fire('transformThrow')) throw new InjectedFault('Error', 'transform crashed');
    if (fire('transformHang')) return new Promise(() => {});
    return handler(event);
  };
}

/**
 * A crash fails the whole invocation (Lambda redelivers the batch); a poison message fails alone on
 * every receive, reported as a batch item failure, until maxReceiveCount sends it to the DLQ.
 */
function flakyConsumer(handler: SqsHandler, { fire }: Dice, maxReceiveCount: number): SqsHandler {
  const poison = new Map<string, boolean>();
  return async (event: SQSEvent): Promise<SQSBatchResponse | undefined> => {
    if (fire('consumerCrash')) throw new InjectedFault('Error', 'consumer crashed');
    for (const { messageId } of event.Records) if (!poison.has(messageId)) poison.set(messageId, fire('poison'));
    const failing = event.Records.filter((r) => poison.get(r.messageId) === true);
    const rest = event.Records.filter((r) => poison.get(r.messageId) !== true);
    const response = rest.length > 0 ? await handler({ Records: rest }) : undefined;
    const failures = [...(response?.batchItemFailures ?? []), ...failing.map((r) => ({ itemIdentifier: r.messageId }))];
    // Past maxReceiveCount the queue moves the message on its own; nothing is left to remember.
    for (const r of failing)
      if (Number(r.attributes.ApproximateReceiveCount) >= maxReceiveCount) poison.delete(r.messageId);
    return { batchItemFailures: failures };
  };
}

function flakyPutRecords(port: PutRecords, { fire, randomOf }: Dice): PutRecords {
  const random = randomOf('putPartial');
  return async (records) => {
    if (fire('putCall')) throw new InjectedFault('ServiceUnavailableException', 'Slow down.');
    if (!fire('putPartial')) return port(records);
    const refused = records.map(() => random() < 0.3);
    const toTake = records.filter((_, i) => !refused[i]);
    // Every entry refused: the call still succeeds (FailedPutCount = all), it just takes nothing.
    const taken = toTake.length > 0 ? await port(toTake) : [];
    let next = 0;
    return records.map(
      (_, i): PutRecordResult =>
        refused[i]
          ? { ok: false, errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' }
          : (taken[next++] as PutRecordResult),
    );
  };
}
