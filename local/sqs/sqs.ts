// Local SQS queue with a Lambda event source mapping: batch size and batching window, visibility
// timeout, receive counts, ReportBatchItemFailures, redrive to a DLQ after maxReceiveCount, and a
// bound on stored messages (OverLimit) for back-pressure. Durations are scaled by timeScale (local/pipeline/clock.ts).
import { config } from '#shared/config.js';
import { type Clock, scaledMs, systemClock } from '../pipeline/clock.js';
import {
  type Consumer,
  type ConsumerOptions,
  consumerWithDefaults,
  type LocalQueueOptions,
  OverLimit,
  type QueueStats,
  type SqsHandler,
} from './options.js';
import type { QueueLog } from './queue-log.js';
import { batchOutcome, newMessage, type QueueIdentity, type QueueMessage, sqsRecord } from './sqs-event.js';
import { MessageStore } from './store.js';

export {
  type ConsumerOptions,
  type LocalQueueOptions,
  OverLimit,
  type QueueStats,
  type SqsHandler,
} from './options.js';

export class LocalQueue {
  readonly identity: QueueIdentity;
  readonly #options: LocalQueueOptions;
  readonly #clock: Clock;
  readonly #store = new MessageStore();
  readonly #running = new Set<Promise<void>>();
  #consumer: Consumer | undefined;
  #cancelTimer: (() => void) | undefined;
  #pumpRequested = false;
  #drainWaiters: (() => void)[] = [];
  #sent = 0;

  readonly #log: QueueLog | undefined;

  /** With `persisted`, every change goes to its log first, and the messages it restored are queued again. */
  constructor(options: LocalQueueOptions, persisted?: { log: QueueLog; messages: readonly QueueMessage[] }) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.identity = {
      name: options.name,
      region: options.region ?? config.region,
      accountId: options.accountId ?? '000000000000',
    };
    this.#log = persisted?.log;
    for (const message of persisted?.messages ?? []) this.#store.add(message);
  }

  async sendMessage(body: string): Promise<{ messageId: string; md5OfBody: string }> {
    const limit = this.#options.maxMessages ?? 100_000;
    if (this.#store.visibleCount + this.#store.inFlightCount >= limit) {
      throw new OverLimit(`queue ${this.identity.name} holds ${limit} messages`);
    }
    const message = newMessage(body, this.#clock.now());
    this.#enqueue(message);
    this.#sent += 1;
    return { messageId: message.messageId, md5OfBody: message.md5OfBody };
  }

  /** Redrive entry point: a message moved here from a source queue keeps its id, body and sent time. */
  acceptRedriven(message: QueueMessage): void {
    const { firstReceiveTimestamp: _first, receiptHandle: _handle, ...kept } = message;
    this.#enqueue({ ...kept, receiveCount: 0, visibleAt: this.#clock.now() });
  }

  startConsumer(handler: SqsHandler, options: ConsumerOptions): void {
    this.#consumer = consumerWithDefaults(handler, options);
    this.#requestPump();
  }

  /** Resolves once no message is visible or in flight (needs a consumer to ever happen). */
  drain(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Stops polling; resolves when the batches being processed have finished. */
  async stop(): Promise<void> {
    this.#consumer = undefined;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await Promise.all([...this.#running]);
  }

  stats(): QueueStats {
    const { visibleCount: visible, inFlightCount: inFlight } = this.#store;
    return { sent: this.#sent, ...this.#store.counts, visible, inFlight };
  }

  /** The messages the queue holds (e.g. a DLQ's content), oldest first. */
  peekMessages(): { messageId: string; body: string; receiveCount: number }[] {
    return this.#store.peek().map(({ messageId, body, receiveCount }) => ({
      messageId,
      body,
      receiveCount,
    }));
  }

  #enqueue(message: QueueMessage): void {
    // On disk first: a send that cannot be logged fails (S3 counts a failed notification).
    this.#log?.put(message);
    this.#store.add(message);
    this.#requestPump();
  }

  #requestPump(): void {
    if (this.#pumpRequested) return;
    this.#pumpRequested = true;
    setImmediate(() => {
      this.#pumpRequested = false;
      this.#pump();
    });
  }

  #pump(): void {
    const now = this.#clock.now();
    this.#store.returnExpired(now);
    const consumer = this.#consumer;
    while (consumer && this.#running.size < consumer.maxConcurrency && this.#ready(consumer, now)) {
      const visibilityMs = scaledMs(this.#options.visibilityTimeoutSeconds, this.#options.timeScale);
      const batch = this.#store.receive(consumer.batchSize, now, visibilityMs, this.#redrive());
      this.#logged(() => this.#log?.received(batch));
      if (batch.length > 0) this.#track(this.#invoke(consumer, batch));
    }
    this.#schedule(now);
    this.#settleDrain();
  }

  #ready(consumer: Consumer, now: number): boolean {
    const oldest = this.#store.oldestVisibleAt;
    if (oldest === undefined) return false;
    const windowMs = scaledMs(consumer.maximumBatchingWindowInSeconds, this.#options.timeScale);
    return this.#store.visibleCount >= consumer.batchSize || now >= oldest + windowMs;
  }

  async #invoke(consumer: Consumer, batch: QueueMessage[]): Promise<void> {
    const handles = new Map(batch.map((m) => [m.messageId, m.receiptHandle]));
    let outcome: ReturnType<typeof batchOutcome>;
    try {
      const response = await consumer.handler({ Records: batch.map((m) => sqsRecord(m, this.identity)) });
      outcome = consumer.reportBatchItemFailures
        ? batchOutcome(response, new Set(handles.keys()))
        : { kind: 'success' };
    } catch (error) {
      consumer.onError(error);
      outcome = { kind: 'failure' };
    }
    if (outcome.kind === 'failure') return;
    // Failed messages stay invisible until their visibility timeout, then return to the queue.
    for (const [messageId, handle] of handles) {
      if (outcome.kind === 'partial' && outcome.failed.has(messageId)) continue;
      if (this.#store.delete(messageId, handle)) this.#logged(() => this.#log?.removed(messageId));
    }
  }

  /** The redrive policy; a message moved to the DLQ leaves this queue's log. */
  #redrive() {
    const { maxReceiveCount, deadLetterQueue } = this.#options;
    if (!deadLetterQueue || !this.#log) return { maxReceiveCount, deadLetterQueue };
    const target = {
      acceptRedriven: (message: QueueMessage) => {
        deadLetterQueue.acceptRedriven(message);
        this.#logged(() => this.#log?.removed(message.messageId));
      },
    };
    return { maxReceiveCount, deadLetterQueue: target };
  }

  /** Receive counts and deletes the log misses only cost a redelivery after a crash (handlers are idempotent). */
  #logged(write: () => void): void {
    try {
      write();
    } catch {
      // The queue in memory stays right; the next start may see the message again.
    }
  }

  /** Closes the queue's log (after stop); `clear` empties it first (its messages are stored elsewhere). */
  closeLog(clear = false): void {
    if (clear) this.#logged(() => this.#log?.clear());
    this.#log?.close();
  }

  #track(run: Promise<void>): void {
    const tracked = run.finally(() => {
      this.#running.delete(tracked);
      this.#requestPump();
    });
    this.#running.add(tracked);
  }

  #schedule(now: number): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const consumer = this.#consumer;
    if (!consumer) return;
    let wake = this.#store.nextReturnAt();
    const oldest = this.#store.oldestVisibleAt;
    if (oldest !== undefined && this.#running.size < consumer.maxConcurrency) {
      wake = Math.min(wake, oldest + scaledMs(consumer.maximumBatchingWindowInSeconds, this.#options.timeScale));
    }
    if (wake === Number.POSITIVE_INFINITY) return;
    this.#cancelTimer = this.#clock.setTimer(Math.max(0, wake - now), () => this.#pump());
  }

  #idle(): boolean {
    return this.#store.visibleCount === 0 && this.#store.inFlightCount === 0 && this.#running.size === 0;
  }

  #settleDrain(): void {
    if (!this.#idle() || this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
