// The S3 stage of a local delivery stream: one buffer per evaluated partition, delivered as one
// gzip object when it reaches the size hint or its interval passes (Firehose buffering hints), plus
// error-output buffers (processing-failed, partitioning-failed) written as JSON lines.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { PutObject } from '../shared/ports.js';
import type { Clock } from './clock.js';
import { firehoseObjectName, type PartitionKeys, type PrefixTemplate } from './firehose-prefix.js';

const gzipAsync = promisify(gzip);

export interface DeliveryOptions {
  putObject: PutObject;
  bucket: string;
  streamName: string;
  prefix: PrefixTemplate;
  errorPrefix: PrefixTemplate;
  sizeBytes: number;
  intervalMs: number;
  maxActivePartitions: number;
  /** Past this many buffered bytes the largest buffer is delivered early, bounding memory. */
  maxBufferedBytes: number;
  gzipLevel: number;
  clock: Clock;
  onError: (error: unknown) => void;
}

/** One record of the error output (CONTRACTS §1 field set). */
export interface FailedRecord {
  /** Base64. */
  rawData: string;
  arrival: number;
  attemptsMade: number;
  errorCode: string;
  errorMessage: string;
  lambdaArn?: string;
}

interface Buffered {
  id: string;
  keys?: PartitionKeys;
  errorOutputType?: string;
  chunks: Buffer[];
  bytes: number;
  oldestArrival: number;
  cancelTimer: () => void;
}

export type AddResult = 'buffered' | 'missingPartitionKeys' | 'activePartitionExceeded';

export class S3Delivery {
  readonly #o: DeliveryOptions;
  readonly #buffers = new Map<string, Buffered>();
  readonly #writes = new Set<Promise<void>>();
  #activePartitions = 0;
  #bufferedBytes = 0;
  readonly counts = { objects: 0, bytes: 0, compressedBytes: 0, records: 0, errorRecords: 0, failedWrites: 0 };

  constructor(options: DeliveryOptions) {
    this.#o = options;
  }

  /** Buffers one transformed record under its partition; reports why when it cannot. */
  addRecord(keys: PartitionKeys | undefined, data: Buffer, arrival: number): AddResult {
    const id = this.#o.prefix.partitionOf(keys);
    if (id === undefined) return 'missingPartitionKeys';
    let buffer = this.#buffers.get(id);
    if (!buffer) {
      if (this.#activePartitions >= this.#o.maxActivePartitions) return 'activePartitionExceeded';
      this.#activePartitions += 1;
      buffer = this.#open(id, arrival, { keys });
    }
    this.#append(buffer, data, arrival);
    this.counts.records += 1;
    return 'buffered';
  }

  addFailure(errorOutputType: string, failure: FailedRecord): void {
    const id = `\u0001${errorOutputType}`;
    const buffer = this.#buffers.get(id) ?? this.#open(id, failure.arrival, { errorOutputType });
    const line = `${JSON.stringify(errorRecord(failure, this.#o.clock.now()))}\n`;
    this.#append(buffer, Buffer.from(line, 'utf8'), failure.arrival);
    this.counts.errorRecords += 1;
  }

  /** Delivers every buffer now and resolves when all writes have finished. */
  async flush(): Promise<void> {
    for (const buffer of [...this.#buffers.values()]) this.#deliver(buffer);
    await this.settled();
  }

  /** Resolves when the objects already being written are in S3. */
  async settled(): Promise<void> {
    while (this.#writes.size > 0) await Promise.all([...this.#writes]);
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  #open(id: string, arrival: number, identity: Pick<Buffered, 'keys' | 'errorOutputType'>): Buffered {
    const buffer: Buffered = { id, ...identity, chunks: [], bytes: 0, oldestArrival: arrival, cancelTimer: () => {} };
    buffer.cancelTimer = this.#o.clock.setTimer(this.#o.intervalMs, () => this.#deliver(buffer));
    this.#buffers.set(id, buffer);
    return buffer;
  }

  #append(buffer: Buffered, data: Buffer, arrival: number): void {
    buffer.chunks.push(data);
    buffer.bytes += data.length;
    this.#bufferedBytes += data.length;
    if (arrival < buffer.oldestArrival) buffer.oldestArrival = arrival;
    if (buffer.bytes >= this.#o.sizeBytes) this.#deliver(buffer);
    else if (this.#bufferedBytes > this.#o.maxBufferedBytes) this.#deliverLargest();
  }

  #deliverLargest(): void {
    let largest: Buffered | undefined;
    for (const b of this.#buffers.values()) if (!largest || b.bytes > largest.bytes) largest = b;
    if (largest) this.#deliver(largest);
  }

  #deliver(buffer: Buffered): void {
    if (this.#buffers.get(buffer.id) !== buffer) return;
    buffer.cancelTimer();
    this.#buffers.delete(buffer.id);
    if (buffer.errorOutputType === undefined) this.#activePartitions -= 1;
    this.#bufferedBytes -= buffer.bytes;
    const write = this.#write(buffer).finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }

  async #write(buffer: Buffered): Promise<void> {
    const template = buffer.errorOutputType === undefined ? this.#o.prefix : this.#o.errorPrefix;
    const { keys, oldestArrival, errorOutputType } = buffer;
    const prefix = template.render({ keys, oldestArrival, errorOutputType });
    const key = `${prefix}${firehoseObjectName(this.#o.streamName, oldestArrival)}`;
    const raw = Buffer.concat(buffer.chunks, buffer.bytes);
    try {
      const body = await gzipAsync(raw, { level: this.#o.gzipLevel });
      await this.#o.putObject({ bucket: this.#o.bucket, key }, body, 'application/octet-stream');
      this.counts.objects += 1;
      this.counts.bytes += raw.length;
      this.counts.compressedBytes += body.length;
    } catch (error) {
      this.counts.failedWrites += 1;
      this.#o.onError(error);
    }
  }
}

function errorRecord(failure: FailedRecord, attemptEnding: number): Record<string, unknown> {
  const { rawData, arrival, attemptsMade, errorCode, errorMessage, lambdaArn } = failure;
  const record: Record<string, unknown> = {
    attemptsMade,
    arrivalTimestamp: arrival,
    errorCode,
    errorMessage,
    attemptEndingTimestamp: attemptEnding,
    rawData,
  };
  if (lambdaArn !== undefined) record.lambdaArn = lambdaArn;
  return record;
}
