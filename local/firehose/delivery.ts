// The S3 stage of a local delivery stream: one buffer per evaluated partition, delivered as one
// gzip object when it reaches the size hint or its interval passes (Firehose buffering hints), plus
// error-output buffers (processing-failed, partitioning-failed) written as JSON lines.
// A buffer compresses as it fills, a slab at a time on zlib's thread pool: what it holds is the
// compressed object, not the records, and delivering it only finishes the stream. Finished objects
// go to the ObjectWriter, which keeps and retries a failed write and reports the journal sequence
// numbers of each written object as delivered.
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import type { PutObject } from '#shared/ports.js';
import type { Clock } from '../pipeline/clock.js';
import { ObjectWriter } from './object-writer.js';
import { firehoseObjectName, type PartitionKeys, type PrefixTemplate } from './prefix.js';

/** Records gathered before one write into a buffer's gzip stream (per-record writes cost more than they compress). */
const SLAB_BYTES = 256 * 1024;

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
  /** Journal sequence numbers of records now in S3. */
  onDelivered?: (seqs: number[]) => void;
}

/** One record of the error output (docs/contracts.md §1 field set). */
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
  /** Journal sequence numbers of the records in the buffer. */
  seqs: number[];
  records: number;
  /** Records not yet handed to the gzip stream. */
  slab: Buffer[];
  slabBytes: number;
  gzip: Gzip;
  /** What the gzip stream has produced so far. */
  compressed: Buffer[];
  /** Uncompressed bytes: what Firehose's size hint counts. */
  bytes: number;
  oldestArrival: number;
  cancelTimer: () => void;
}

export type AddResult = 'buffered' | 'missingPartitionKeys' | 'activePartitionExceeded';

export class S3Delivery {
  readonly #o: DeliveryOptions;
  readonly #buffers = new Map<string, Buffered>();
  readonly #writes = new Set<Promise<void>>();
  readonly writer: ObjectWriter;
  #activePartitions = 0;
  #bufferedBytes = 0;
  readonly counts = { records: 0, errorRecords: 0 };

  constructor(options: DeliveryOptions) {
    this.#o = options;
    this.writer = new ObjectWriter({
      putObject: options.putObject,
      bucket: options.bucket,
      clock: options.clock,
      onError: options.onError,
      onDelivered: options.onDelivered ?? (() => {}),
    });
  }

  /** Buffers one transformed record under its partition; reports why when it cannot. */
  addRecord(keys: PartitionKeys | undefined, data: Buffer, arrival: number, seq?: number): AddResult {
    const id = this.#o.prefix.partitionOf(keys);
    if (id === undefined) return 'missingPartitionKeys';
    let buffer = this.#buffers.get(id);
    if (!buffer) {
      if (this.#activePartitions >= this.#o.maxActivePartitions) return 'activePartitionExceeded';
      this.#activePartitions += 1;
      buffer = this.#open(id, arrival, { keys });
    }
    this.#append(buffer, data, arrival, seq);
    this.counts.records += 1;
    return 'buffered';
  }

  addFailure(errorOutputType: string, failure: FailedRecord, seq?: number): void {
    const id = `\u0001${errorOutputType}`;
    const buffer = this.#buffers.get(id) ?? this.#open(id, failure.arrival, { errorOutputType });
    const line = `${JSON.stringify(errorRecord(failure, this.#o.clock.now()))}\n`;
    this.#append(buffer, Buffer.from(line, 'utf8'), failure.arrival, seq);
    this.counts.errorRecords += 1;
  }

  /** Delivers every buffer now and resolves when all writes have finished. */
  async flush(): Promise<void> {
    for (const buffer of [...this.#buffers.values()]) this.#deliver(buffer);
    await this.settled();
  }

  /** Resolves when the objects already being written are in S3 (or failed, kept for a retry). */
  async settled(): Promise<void> {
    while (this.#writes.size > 0) await Promise.all([...this.#writes]);
    await this.writer.settled();
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  #open(id: string, arrival: number, identity: Pick<Buffered, 'keys' | 'errorOutputType'>): Buffered {
    const gzip = createGzip({ level: this.#o.gzipLevel });
    const buffer: Buffered = {
      id,
      ...identity,
      seqs: [],
      records: 0,
      slab: [],
      slabBytes: 0,
      gzip,
      compressed: [],
      bytes: 0,
      oldestArrival: arrival,
      cancelTimer: () => {},
    };
    gzip.on('data', (chunk: Buffer) => buffer.compressed.push(chunk));
    buffer.cancelTimer = this.#o.clock.setTimer(this.#o.intervalMs, () => this.#deliver(buffer));
    this.#buffers.set(id, buffer);
    return buffer;
  }

  #append(buffer: Buffered, data: Buffer, arrival: number, seq: number | undefined): void {
    if (seq !== undefined) buffer.seqs.push(seq);
    buffer.records += 1;
    buffer.slab.push(data);
    buffer.slabBytes += data.length;
    if (buffer.slabBytes >= SLAB_BYTES) compressSlab(buffer);
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
    compressSlab(buffer);
    buffer.gzip.end();
    await once(buffer.gzip, 'end');
    const body = Buffer.concat(buffer.compressed);
    buffer.compressed = [];
    this.writer.write({ key, body, bytes: buffer.bytes, records: buffer.records, seqs: buffer.seqs });
  }
}

function compressSlab(buffer: Buffered): void {
  if (buffer.slabBytes === 0) return;
  buffer.gzip.write(buffer.slab.length === 1 ? buffer.slab[0] : Buffer.concat(buffer.slab, buffer.slabBytes));
  buffer.slab = [];
  buffer.slabBytes = 0;
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
