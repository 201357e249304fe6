// Seeded fault injection for the chaos run: every hand-off fails some calls the way the real
// service would, at a configurable rate, and counts what it did so the ledger can show it.
import type { SQSEvent } from 'aws-lambda';
import type { QueueName } from '../shared/config.js';
import type { PutRecordResult, PutRecords, StartJobRun } from '../shared/ports.js';
import type { PipelineFaults } from './pipeline.js';
import { seededRandom } from './traffic.js';

export interface ChaosRates {
  /** PutRecordBatch calls answering some entries ServiceUnavailableException (those are not taken). */
  putPartial: number;
  /** PutRecordBatch calls failing whole. */
  putCall: number;
  /** Transform invocations that throw. */
  transformThrow: number;
  /** Transform invocations that never answer (Firehose times them out). */
  transformHang: number;
  /** SQS messages whose consumer crashes on their first one or two receives. */
  consumerCrash: number;
  /** SQS messages whose consumer crashes on every receive until they reach the DLQ. */
  poison: number;
  duplicateNotification: number;
  /** StartJobRun calls refused with ConcurrentRunsExceededException. */
  glueRefuse: number;
  /** Glue runs that die after writing their first partition. */
  glueCrash: number;
  athenaThrottle: number;
  athenaFail: number;
}

export const defaultChaosRates: ChaosRates = {
  putPartial: 0.05,
  putCall: 0.02,
  transformThrow: 0.02,
  transformHang: 0.005,
  consumerCrash: 0.05,
  poison: 0.01,
  duplicateNotification: 0.05,
  glueRefuse: 0.1,
  glueCrash: 0.1,
  athenaThrottle: 0.05,
  athenaFail: 0.05,
};

export type FaultCounts = Record<keyof ChaosRates, number>;

class InjectedFault extends Error {
  constructor(name: string, message: string) {
    super(`${message} (injected by the chaos run)`);
    this.name = name;
  }
}

export function chaosFaults(rates: ChaosRates, seed: number, maxReceiveCount: number) {
  const random = seededRandom(seed);
  const counts = Object.fromEntries(Object.keys(rates).map((k) => [k, 0])) as FaultCounts;
  const fire = (kind: keyof ChaosRates): boolean => {
    const hit = random() < rates[kind];
    if (hit) counts[kind] += 1;
    return hit;
  };
  const crashBudget = new Map<string, number>();
  const faults: PipelineFaults = {
    putRecords: (port) => flakyPutRecords(port, fire, random),
    transform: (handler) => async (event) => {
      if (fire('transformThrow')) throw new InjectedFault('Error', 'transform crashed');
      if (fire('transformHang')) return new Promise(() => {});
      return handler(event);
    },
    consumer: (_queue: QueueName, handler) => async (event: SQSEvent) => {
      for (const { messageId } of event.Records) {
        if (!crashBudget.has(messageId)) {
          const budget = fire('poison') ? maxReceiveCount : fire('consumerCrash') ? 1 + Math.floor(random() * 2) : 0;
          crashBudget.set(messageId, budget);
        }
      }
      const crashing = event.Records.filter((r) => (crashBudget.get(r.messageId) ?? 0) > 0);
      for (const r of crashing) crashBudget.set(r.messageId, (crashBudget.get(r.messageId) ?? 1) - 1);
      if (crashing.length > 0) throw new InjectedFault('Error', 'consumer crashed');
      return handler(event);
    },
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
        if (index >= 1 && fire('glueCrash'))
          throw new InjectedFault('Error', 'Glue worker lost halfway through the write');
      },
    },
    athena: {
      throttleStart: () => fire('athenaThrottle'),
      failExecution: () => fire('athenaFail'),
    },
  };
  return { faults, counts };
}

function flakyPutRecords(
  port: PutRecords,
  fire: (kind: keyof ChaosRates) => boolean,
  random: () => number,
): PutRecords {
  return async (records) => {
    if (fire('putCall')) throw new InjectedFault('ServiceUnavailableException', 'Slow down.');
    if (!fire('putPartial')) return port(records);
    const refused = records.map(() => random() < 0.3);
    const taken = await port(records.filter((_, i) => !refused[i]));
    let next = 0;
    return records.map(
      (_, i): PutRecordResult =>
        refused[i]
          ? { ok: false, errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' }
          : (taken[next++] as PutRecordResult),
    );
  };
}
