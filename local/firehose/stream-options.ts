// The options, health, counters and errors of a local delivery stream (firehose.ts).
import type { config } from '#shared/config.js';
import type { PutObject } from '#shared/ports.js';
import type { Clock } from '../pipeline/clock.js';
import type { Journal } from './journal.js';
import type { TransformHandler } from './processor.js';
import type { FirehoseStats } from './stream-support.js';

export type FirehoseSettings = typeof config.firehose;

export interface LocalDeliveryStreamOptions {
  name: string;
  putObject: PutObject;
  bucket: string;
  transform: TransformHandler;
  /** Set for a Kinesis-sourced stream (devices): records arrive through putFromKinesis. */
  sourceKinesisStreamArn?: string;
  /** Overrides of config.firehose (buffer hints, prefixes, retries). */
  settings?: Partial<FirehoseSettings>;
  region?: string;
  clock?: Clock;
  /** Multiplies every configured interval (0.001: 300 s S3 buffer interval → 300 ms). Default 1. */
  timeScale?: number;
  maxActivePartitions?: number;
  /** Accepted bytes not yet transformed; past it entries fail with ServiceUnavailableException. */
  maxBacklogBytes?: number;
  /** Bytes held in S3 buffers before the largest is delivered early. */
  maxBufferedBytes?: number;
  gzipLevel?: number;
  transformFunctionName?: string;
  /** The transform's timeout in real ms (default config.transform.timeoutSeconds; not scaled). */
  transformTimeoutMs?: number;
  /**
   * Transform invocations in flight at once (default 1). Firehose invokes the λ concurrently; more than
   * one keeps a transform running off the main thread busy. Outcomes are still routed in dispatch order.
   */
  concurrentInvocations?: number;
  onError?: (error: unknown) => void;
  /** The stream's write-ahead journal (durable acks); absent, accepted records live in memory only. */
  journal?: Journal;
}

/** A stream's own view of its health: a fault names the write that fails. */
export interface StreamHealth {
  ok: boolean;
  cause?: string;
}

/** Thrown by flush when objects could not be written: their records stay in the journal. */
export class UndeliveredRecords extends Error {
  override name = 'UndeliveredRecords';
}

export type DeliveryStreamStats = FirehoseStats & {
  deliveredRecords: number;
  objects: number;
  /** Uncompressed bytes written to S3 (data and error output). */
  bytes: number;
  compressedBytes: number;
  /** S3 write attempts that failed (reported through onError); the objects are retried. */
  failedWrites: number;
  /** Records in objects whose write failed and waits for a retry. */
  undeliveredRecords: number;
  /** Journal appends (PutRecordBatch calls) and the fdatasyncs that made them durable (group commit). */
  journalAppends: number;
  journalSyncs: number;
  backlogBytes: number;
  bufferedBytes: number;
};

export const MiB = 1024 * 1024;
/** The default of maxBacklogBytes. */
export const DEFAULT_MAX_BACKLOG_BYTES = 64 * MiB;
/** JSON around one record in the invocation event: recordId, timestamp, field names. */
export const EVENT_RECORD_OVERHEAD = 120;
