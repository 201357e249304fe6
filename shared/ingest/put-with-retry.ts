// Puts records through the PutRecords port and re-sends only the entries that failed, with
// exponential backoff and full jitter, for as long as the caller's time budget allows.
import type { PutRecords } from '../ports.js';
import { type ChunkLimits, chunkRecords, putRecordBatchLimits } from './record-chunks.js';

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time kept back for the last call and the response; no retry starts inside it. */
  reserveMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 50, maxDelayMs: 2_000, reserveMs: 2_000 };

export interface RetryDeps {
  putRecords: PutRecords;
  /** Milliseconds left before the caller must answer (Lambda: context.getRemainingTimeInMillis). */
  remainingMs: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
}

export interface PutOutcome {
  /** Positions of the records Firehose never accepted, ascending. */
  failed: number[];
  /** Record sends beyond the first, summed over attempts. */
  retried: number;
  attempts: number;
}

export async function putWithRetry(
  records: readonly Uint8Array[],
  deps: RetryDeps,
  policy: RetryPolicy = defaultRetryPolicy,
  limits: ChunkLimits = putRecordBatchLimits,
): Promise<PutOutcome> {
  let pending = records.map((_, i) => i);
  let retried = 0;
  for (let attempt = 1; ; attempt++) {
    pending = await putOnce(records, pending, deps.putRecords, limits);
    if (pending.length === 0) return { failed: [], retried, attempts: attempt };
    const delay = backoffDelay(attempt, policy, deps.random);
    if (deps.remainingMs() - delay < policy.reserveMs) return { failed: pending, retried, attempts: attempt };
    await deps.sleep(delay);
    retried += pending.length;
  }
}

/** Full jitter: uniform in [0, min(max, base · 2^(attempt−1))). */
export const backoffDelay = (attempt: number, policy: RetryPolicy, random: () => number): number =>
  Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));

/** One pass over the pending records; resolves the positions that still failed. */
async function putOnce(
  records: readonly Uint8Array[],
  pending: readonly number[],
  putRecords: PutRecords,
  limits: ChunkLimits,
): Promise<number[]> {
  const chunks = chunkRecords(records, limits, pending);
  const failedPerChunk = await Promise.all(
    chunks.map(async (chunk) => {
      try {
        const results = await putRecords(chunk.map((position) => records[position] as Uint8Array));
        return chunk.filter((_, k) => results[k]?.ok !== true);
      } catch {
        // A whole-call failure (throttling, timeout, 5xx after the SDK's own retries): all of it is pending.
        return chunk;
      }
    }),
  );
  return failedPerChunk.flat().sort((a, b) => a - b);
}
