// Local Firehose delivery stream (direct PUT or Kinesis-sourced): PutRecordBatch limits and
// back-pressure, the processor buffer invoking the transform λ, dynamic partitioning, S3 buffering
// and error output, as docs/contracts.md §1 describes. Durations are scaled by timeScale (see local/pipeline/clock.ts).
// With a journal, accepted records are on disk before PutRecordBatch answers (journal.ts), and a
// record counts as delivered only once its object is written; a disk fault fails the entries instead.
import { randomInt } from 'node:crypto';
import { config } from '#shared/config.js';
import type { PutRecordResult } from '#shared/ports.js';
import { type Clock, scaledMs, systemClock } from '../pipeline/clock.js';
import { S3Delivery } from './delivery.js';
import type { JournalEntry, JournalRecord } from './journal-frames.js';
import { PrefixTemplate } from './prefix.js';
import { type BufferedRecord, type InvocationOutcome, invokeTransform, type StreamIdentity } from './processor.js';
import { routeInvocation } from './routing.js';
import {
  DEFAULT_MAX_BACKLOG_BYTES,
  type DeliveryStreamStats,
  EVENT_RECORD_OVERHEAD,
  type FirehoseSettings,
  type LocalDeliveryStreamOptions,
  MiB,
  type StreamHealth,
  UndeliveredRecords,
} from './stream-options.js';
import { admit, checkPutRecordBatch, type FirehoseStats, newStats, shardMetadata } from './stream-support.js';

export {
  DEFAULT_MAX_BACKLOG_BYTES,
  type DeliveryStreamStats,
  type FirehoseSettings,
  type LocalDeliveryStreamOptions,
  type StreamHealth,
  UndeliveredRecords,
} from './stream-options.js';

export class LocalDeliveryStream {
  readonly identity: StreamIdentity;
  readonly #settings: FirehoseSettings;
  readonly #o: LocalDeliveryStreamOptions;
  readonly #clock: Clock;
  readonly #delivery: S3Delivery;
  readonly #lambdaArn: string;
  readonly #stats: FirehoseStats = newStats();
  readonly #idBase = Array.from({ length: 4 }, () => String(randomInt(1e11)).padStart(11, '0')).join('');
  #sequence = 0;
  #pending: BufferedRecord[] = [];
  #pendingPayload = 0;
  #backlogBytes = 0;
  #cancelProcessorTimer: (() => void) | undefined;
  /** Routing of every dispatched batch, in order. */
  #chain: Promise<void> = Promise.resolve();
  /** The latest invocations, at most concurrentInvocations: the next one starts when the oldest ends. */
  #invocations: Promise<unknown>[] = [];

  constructor(options: LocalDeliveryStreamOptions) {
    this.#o = options;
    this.#settings = { ...config.firehose, ...options.settings };
    this.#clock = options.clock ?? systemClock;
    const region = options.region ?? config.region;
    this.identity = {
      deliveryStreamArn: `arn:aws:firehose:${region}:000000000000:deliverystream/${options.name}`,
      region,
      ...(options.sourceKinesisStreamArn ? { sourceKinesisStreamArn: options.sourceKinesisStreamArn } : {}),
    };
    const fn = options.transformFunctionName ?? `${config.service}-local-transform`;
    this.#lambdaArn = `arn:aws:lambda:${region}:000000000000:function:${fn}:$LATEST`;
    this.#delivery = new S3Delivery({
      putObject: options.putObject,
      bucket: options.bucket,
      streamName: options.name,
      prefix: new PrefixTemplate(this.#settings.prefix),
      errorPrefix: new PrefixTemplate(this.#settings.errorOutputPrefix),
      sizeBytes: this.#settings.s3BufferSizeMB * MiB,
      intervalMs: scaledMs(this.#settings.s3BufferIntervalSeconds, options.timeScale),
      maxActivePartitions: options.maxActivePartitions ?? 500,
      maxBufferedBytes: options.maxBufferedBytes ?? 256 * MiB,
      gzipLevel: options.gzipLevel ?? 1,
      clock: this.#clock,
      onError: options.onError ?? (() => {}),
      onDelivered: (seqs) => options.journal?.delivered(seqs),
    });
  }

  /** Hands records the journal holds but never delivered (a restart after a crash) back to the buffers. */
  replay(records: readonly JournalRecord[]): void {
    const now = this.#clock.now();
    for (const r of records) {
      this.#backlogBytes += r.data.byteLength;
      this.#enqueue(r, r.seq, now);
    }
    this.#startProcessorTimer();
  }

  health(): StreamHealth {
    const cause = this.#o.journal?.fault ?? this.#delivery.writer.fault;
    return cause === undefined ? { ok: true } : { ok: false, cause };
  }

  /** PutRecordBatch (the PutRecords port). Throws InvalidArgumentException for a call over the limits. */
  readonly putRecordBatch = async (records: readonly Uint8Array[]): Promise<PutRecordResult[]> => {
    checkPutRecordBatch(records, this.#settings, this.identity.sourceKinesisStreamArn !== undefined);
    return this.#acceptAll(records, undefined);
  };

  /** Records read from the source Kinesis stream (devices), with their Kinesis partition keys. */
  async putFromKinesis(records: readonly { data: Uint8Array; partitionKey: string }[]): Promise<PutRecordResult[]> {
    return this.#acceptAll(
      records.map((r) => r.data),
      records.map((r) => r.partitionKey),
    );
  }

  /** Forces every buffered record through the transform and into S3 (end of demo, Ctrl-C). */
  async flush(): Promise<void> {
    do {
      this.#dispatch();
      await this.#chain;
      await this.#delivery.flush();
    } while (this.#pending.length > 0);
    const writer = this.#delivery.writer;
    if (writer.undelivered.objects > 0) {
      writer.retryNow();
      await writer.settled();
    }
    const { records } = writer.undelivered;
    if (records > 0) {
      const kept = this.#o.journal ? `kept in ${this.#o.journal.dir}` : 'held in memory only';
      throw new UndeliveredRecords(`${this.#o.name}: ${records} records not delivered (${writer.fault}); ${kept}`);
    }
    await this.#o.journal?.seal();
  }

  /** Stops retry timers (close); undelivered records stay in the journal for the next start. */
  stop(): void {
    this.#cancelProcessorTimer?.();
    this.#cancelProcessorTimer = undefined;
    this.#delivery.writer.stop();
  }

  /** Resolves when queued invocations and started S3 writes are done, without forcing delivery. */
  async whenIdle(): Promise<void> {
    await this.#chain;
    await this.#delivery.settled();
  }

  stats(): DeliveryStreamStats {
    const { records } = this.#delivery.counts;
    const { objects, bytes, compressedBytes, failedWrites } = this.#delivery.writer.counts;
    return {
      ...this.#stats,
      deliveredRecords: records,
      objects,
      bytes,
      compressedBytes,
      failedWrites,
      undeliveredRecords: this.#delivery.writer.undelivered.records,
      journalAppends: this.#o.journal?.stats.appends ?? 0,
      journalSyncs: this.#o.journal?.stats.syncs ?? 0,
      backlogBytes: this.#backlogBytes,
      bufferedBytes: this.#delivery.bufferedBytes,
    };
  }

  async #acceptAll(records: readonly Uint8Array[], kinesisKeys: readonly string[] | undefined) {
    const now = this.#clock.now();
    const limit = this.#o.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES;
    const { results, admitted, entries, bytes } = admit(records, kinesisKeys, now, limit - this.#backlogBytes);
    this.#stats.throttled += records.length - admitted.length;
    this.#backlogBytes += bytes;
    let seqs: (number | undefined)[] = [];
    try {
      if (this.#o.journal && entries.length > 0) seqs = await this.#o.journal.append(entries);
    } catch (error) {
      // Not on disk, so not accepted: the caller answers 503 and the client sends them again.
      this.#backlogBytes -= bytes;
      const errorMessage = `Not durably stored: ${(error as Error).message}`;
      for (const i of admitted) results[i] = { ok: false, errorCode: 'ServiceUnavailableException', errorMessage };
      this.#o.onError?.(error);
      return results;
    }
    admitted.forEach((index, j) => {
      results[index] = { ok: true, recordId: this.#enqueue(entries[j] as JournalEntry, seqs[j], now) };
    });
    this.#startProcessorTimer();
    return results;
  }

  /** A record id, Kinesis metadata for a Kinesis-sourced record, into the processor buffer. */
  #enqueue(entry: JournalEntry, seq: number | undefined, now: number): string {
    const recordId = `${this.#idBase}${String(this.#sequence++).padStart(12, '0')}`;
    const { data, arrival, partitionKey } = entry;
    const kinesis = partitionKey === undefined ? undefined : shardMetadata(partitionKey, now, this.#sequence);
    const base = seq === undefined ? { recordId, data, arrival } : { recordId, data, arrival, seq };
    this.#accept(kinesis ? { ...base, kinesis } : base);
    return recordId;
  }

  #startProcessorTimer(): void {
    if (this.#pending.length > 0 && !this.#cancelProcessorTimer) {
      const intervalMs = scaledMs(this.#settings.processorBufferIntervalSeconds, this.#o.timeScale);
      this.#cancelProcessorTimer = this.#clock.setTimer(intervalMs, () => this.#dispatch());
    }
  }

  /** Into the processor buffer (its bytes are already counted in the backlog). */
  #accept(record: BufferedRecord): void {
    const payload = Math.ceil(record.data.byteLength / 3) * 4 + EVENT_RECORD_OVERHEAD;
    const limit = this.#settings.processorBufferSizeMB * MiB;
    if (this.#pendingPayload + payload > limit && this.#pending.length > 0) this.#dispatch();
    this.#pending.push(record);
    this.#pendingPayload += payload;
    this.#stats.recordsIn += 1;
  }

  /** Hands the processor buffer to the transform; invocations start in order, outcomes are routed in order. */
  #dispatch(): void {
    this.#cancelProcessorTimer?.();
    this.#cancelProcessorTimer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingPayload = 0;
    const oldest =
      this.#invocations.length >= (this.#o.concurrentInvocations ?? 1) ? this.#invocations.shift() : undefined;
    const outcome = (oldest ?? Promise.resolve()).then(() => this.#invoke(batch));
    this.#invocations.push(outcome);
    this.#chain = this.#chain.then(async () => this.#route(batch, await outcome));
  }

  #invoke(batch: BufferedRecord[]): Promise<InvocationOutcome> {
    this.#stats.invocations += 1;
    const settings = {
      retries: this.#settings.processorRetries,
      timeoutMs: this.#o.transformTimeoutMs ?? config.transform.timeoutSeconds * 1000,
    };
    return invokeTransform(this.#o.transform, batch, this.identity, settings);
  }

  #route(batch: BufferedRecord[], outcome: InvocationOutcome): void {
    this.#stats.invocationAttempts += outcome.attempts;
    const delivered = (seqs: number[]) => this.#o.journal?.delivered(seqs);
    routeInvocation(
      { delivery: this.#delivery, stats: this.#stats, lambdaArn: this.#lambdaArn, delivered },
      batch,
      outcome,
    );
    for (const r of batch) this.#backlogBytes -= r.data.byteLength;
  }
}
