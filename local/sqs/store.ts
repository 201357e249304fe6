// The messages of one local queue with SQS visibility semantics: visible messages in arrival
// order, in-flight messages invisible until their visibility timeout, receipt-handle deletes,
// receive counts, and the redrive policy moving over-received messages to the DLQ.

import type { RedriveTarget } from './options.js';
import { newReceiptHandle, type QueueMessage } from './sqs-event.js';

export interface Redrive {
  maxReceiveCount?: number;
  deadLetterQueue?: RedriveTarget;
}

export class MessageStore {
  // A queue as array + head index: shift() would be O(n) per message on a deep queue.
  #visible: QueueMessage[] = [];
  #head = 0;
  readonly #inFlight = new Map<string, QueueMessage>();
  readonly counts = { deleted: 0, inDlq: 0, receives: 0 };

  get visibleCount(): number {
    return this.#visible.length - this.#head;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** When the oldest visible message became visible; undefined when none is. */
  get oldestVisibleAt(): number | undefined {
    return this.#visible[this.#head]?.visibleAt;
  }

  /** The earliest time an in-flight message becomes visible again. */
  nextReturnAt(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const message of this.#inFlight.values()) at = Math.min(at, message.visibleAt);
    return at;
  }

  add(message: QueueMessage): void {
    this.#visible.push(message);
  }

  /** ReceiveMessage: up to n visible messages; those past maxReceiveCount go to the DLQ instead. */
  receive(n: number, now: number, visibilityMs: number, redrive: Redrive): QueueMessage[] {
    const batch: QueueMessage[] = [];
    const { maxReceiveCount, deadLetterQueue } = redrive;
    while (batch.length < n && this.visibleCount > 0) {
      const message = this.#take();
      if (deadLetterQueue && maxReceiveCount !== undefined && message.receiveCount >= maxReceiveCount) {
        deadLetterQueue.acceptRedriven(message);
        this.counts.inDlq += 1;
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.receiptHandle = newReceiptHandle(message.messageId);
      message.visibleAt = now + visibilityMs;
      this.#inFlight.set(message.messageId, message);
      this.counts.receives += 1;
      batch.push(message);
    }
    return batch;
  }

  /** DeleteMessage: only the latest receipt handle deletes (an older one succeeds but does nothing). */
  delete(messageId: string, handle: string | undefined): boolean {
    const inFlight = this.#inFlight.get(messageId);
    if (inFlight?.receiptHandle === handle) {
      this.#inFlight.delete(messageId);
      this.counts.deleted += 1;
      return true;
    }
    const index = this.#visible.findIndex(
      (m, i) => i >= this.#head && m.messageId === messageId && m.receiptHandle === handle,
    );
    if (index < 0) return false;
    this.#visible.splice(index, 1);
    this.counts.deleted += 1;
    return true;
  }

  /** In-flight messages whose visibility timeout has passed become visible again. */
  returnExpired(now: number): void {
    for (const message of this.#inFlight.values()) {
      if (message.visibleAt > now) continue;
      this.#inFlight.delete(message.messageId);
      this.#visible.push(message);
    }
  }

  peek(): QueueMessage[] {
    return [...this.#visible.slice(this.#head), ...this.#inFlight.values()];
  }

  #take(): QueueMessage {
    const message = this.#visible[this.#head] as QueueMessage;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#visible.length) {
      this.#visible = this.#visible.slice(this.#head);
      this.#head = 0;
    }
    return message;
  }
}
