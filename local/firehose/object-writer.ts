// The last step of a local delivery stream: writing a finished object to S3. A write that fails
// (the disk is full, read-only, …) is not dropped: the object is kept, the stream reports the fault,
// and the write is retried with backoff until the disk takes it. Only a written object counts its
// records as delivered (the journal then lets them go).
import type { PutObject } from '#shared/ports.js';
import type { Clock } from '../pipeline/clock.js';
import { describeFault } from './journal-files.js';

export interface FinishedObject {
  key: string;
  body: Buffer;
  /** Uncompressed bytes and record count (counters). */
  bytes: number;
  records: number;
  /** Journal sequence numbers of the records inside. */
  seqs: number[];
}

export interface ObjectWriterOptions {
  putObject: PutObject;
  bucket: string;
  clock: Clock;
  onError: (error: unknown) => void;
  onDelivered: (seqs: number[]) => void;
  /** First retry delay in real ms (doubles up to maxRetryMs). Default 200. */
  retryMs?: number;
  maxRetryMs?: number;
}

export class ObjectWriter {
  readonly #o: ObjectWriterOptions;
  readonly #writes = new Set<Promise<void>>();
  /** Objects whose write failed, waiting for the next attempt. */
  #failed: FinishedObject[] = [];
  #retryDelay: number;
  #cancelRetry: (() => void) | undefined;
  #fault: string | undefined;
  readonly counts = { objects: 0, bytes: 0, compressedBytes: 0, failedWrites: 0 };

  constructor(options: ObjectWriterOptions) {
    this.#o = options;
    this.#retryDelay = options.retryMs ?? 200;
  }

  /** Undefined when the last write succeeded; the cause of the last failure otherwise. */
  get fault(): string | undefined {
    return this.#fault;
  }

  /** Objects waiting to be written again, and the bytes they hold. */
  get undelivered(): { objects: number; records: number; bytes: number } {
    let records = 0;
    let bytes = 0;
    for (const o of this.#failed) {
      records += o.records;
      bytes += o.body.length;
    }
    return { objects: this.#failed.length, records, bytes };
  }

  write(object: FinishedObject): void {
    const write = this.#attempt(object).finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }

  /** Tries every failed object again now. */
  retryNow(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    const failed = this.#failed;
    this.#failed = [];
    for (const object of failed) this.write(object);
  }

  /** Resolves when no write is in flight (failed ones stay failed). */
  async settled(): Promise<void> {
    while (this.#writes.size > 0) await Promise.all([...this.#writes]);
  }

  stop(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
  }

  async #attempt(object: FinishedObject): Promise<void> {
    try {
      await this.#o.putObject({ bucket: this.#o.bucket, key: object.key }, object.body, 'application/octet-stream');
    } catch (error) {
      this.counts.failedWrites += 1;
      this.#fault = `S3 delivery to ${this.#o.bucket}: ${describeFault(error)}`;
      this.#failed.push(object);
      this.#scheduleRetry();
      this.#o.onError(error);
      return;
    }
    this.#fault = this.#failed.length > 0 ? this.#fault : undefined;
    this.#retryDelay = this.#o.retryMs ?? 200;
    this.counts.objects += 1;
    this.counts.bytes += object.bytes;
    this.counts.compressedBytes += object.body.length;
    this.#o.onDelivered(object.seqs);
  }

  #scheduleRetry(): void {
    if (this.#cancelRetry) return;
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(delay * 2, this.#o.maxRetryMs ?? 5_000);
    this.#cancelRetry = this.#o.clock.setTimer(delay, () => {
      this.#cancelRetry = undefined;
      this.retryNow();
    });
  }
}
