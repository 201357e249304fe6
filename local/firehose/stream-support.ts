// PutRecordBatch call limits, Kinesis source metadata and the counters of a local delivery stream.
import type { FirehoseRecordMetadata } from 'aws-lambda';
import type { config } from '#shared/config.js';
import type { PutRecordResult } from '#shared/ports.js';
import type { JournalEntry } from './journal-frames.js';

/** Firehose's error for a call that breaks the API limits (the whole call fails). */
export class InvalidArgumentException extends Error {
  override name = 'InvalidArgumentException';
}

type Limits = Pick<typeof config.firehose, 'putRecordBatchMaxRecords' | 'putRecordBatchMaxBytes' | 'maxRecordBytes'>;

/** ≤ 500 records, ≤ 1,000 KiB per record (before base64), ≤ 4 MiB per call; no direct PUT to a Kinesis-sourced stream. */
export function checkPutRecordBatch(records: readonly Uint8Array[], limits: Limits, kinesisSourced: boolean): void {
  if (kinesisSourced) {
    throw new InvalidArgumentException(
      'This operation is not permitted on KinesisStreamAsSource delivery stream type.',
    );
  }
  if (records.length === 0 || records.length > limits.putRecordBatchMaxRecords) {
    throw new InvalidArgumentException(
      `Records must hold 1 to ${limits.putRecordBatchMaxRecords} entries, got ${records.length}.`,
    );
  }
  let total = 0;
  for (let i = 0; i < records.length; i += 1) {
    const size = (records[i] as Uint8Array).byteLength;
    if (size > limits.maxRecordBytes) {
      throw new InvalidArgumentException(`Record ${i} is ${size} bytes, over the ${limits.maxRecordBytes}-byte limit.`);
    }
    total += size;
  }
  if (total > limits.putRecordBatchMaxBytes) {
    throw new InvalidArgumentException(
      `Request is ${total} bytes, over the ${limits.putRecordBatchMaxBytes}-byte limit.`,
    );
  }
}

/** One local shard: sequence numbers grow with every record. */
export function shardMetadata(partitionKey: string, arrival: number, sequence: number): FirehoseRecordMetadata {
  return {
    shardId: 'shardId-000000000000',
    partitionKey,
    approximateArrivalTimestamp: arrival,
    sequenceNumber: `4954698668313554428650745793632162567570019247${String(sequence).padStart(10, '0')}`,
    subsequenceNumber: '',
  };
}

export interface FirehoseStats {
  recordsIn: number;
  /** Entries answered ServiceUnavailableException because the backlog was full. */
  throttled: number;
  invocations: number;
  invocationAttempts: number;
  invocationFailures: number;
  processingFailed: number;
  partitioningFailed: number;
  dropped: number;
}

export const newStats = (): FirehoseStats => ({
  recordsIn: 0,
  throttled: 0,
  invocations: 0,
  invocationAttempts: 0,
  invocationFailures: 0,
  processingFailed: 0,
  partitioningFailed: 0,
  dropped: 0,
});

/**
 * Back-pressure: records fit while their bytes stay within `room` (what the backlog bound leaves);
 * the others are answered ServiceUnavailableException. The admitted ones become journal entries.
 */
export function admit(
  records: readonly Uint8Array[],
  kinesisKeys: readonly string[] | undefined,
  arrival: number,
  room: number,
): { results: PutRecordResult[]; admitted: number[]; entries: JournalEntry[]; bytes: number } {
  const results = new Array<PutRecordResult>(records.length);
  const admitted: number[] = [];
  const entries: JournalEntry[] = [];
  let bytes = 0;
  for (let i = 0; i < records.length; i += 1) {
    const data = records[i] as Uint8Array;
    if (bytes + data.byteLength > room) {
      results[i] = { ok: false, errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' };
      continue;
    }
    bytes += data.byteLength;
    admitted.push(i);
    const key = kinesisKeys?.[i];
    entries.push(key === undefined ? { arrival, data } : { arrival, data, partitionKey: key });
  }
  return { results, admitted, entries, bytes };
}
