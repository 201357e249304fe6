import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultRetryPolicy, putWithRetry } from '#shared/ingest/put-with-retry.js';
import type { PutRecords } from '#shared/ports.js';

const bytes = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`record-${i}`));
const text = (r: Uint8Array) => Buffer.from(r).toString();

function clock(budgetMs: number) {
  let now = 0;
  return {
    remainingMs: () => budgetMs - now,
    sleep: async (ms: number) => {
      now += ms;
    },
    elapsed: () => now,
  };
}

describe('putWithRetry', () => {
  it('re-sends exactly the failed entries until all are in', async () => {
    const seen: string[][] = [];
    const failing = new Map([
      ['record-2', 2],
      ['record-4', 1],
    ]);
    const putRecords: PutRecords = async (records) => {
      seen.push(records.map(text));
      return records.map((r) => {
        const left = failing.get(text(r)) ?? 0;
        failing.set(text(r), left - 1);
        return left > 0 ? { ok: false, errorCode: 'InternalFailure', errorMessage: 'x' } : { ok: true, recordId: 'id' };
      });
    };
    const outcome = await putWithRetry(bytes(6), { putRecords, ...clock(10_000), random: () => 0.99 });
    expect(outcome).toEqual({ failed: [], retried: 3, attempts: 3 });
    expect(seen).toEqual([bytes(6).map(text), ['record-2', 'record-4'], ['record-2']]);
  });

  it('stops before the reserve and returns the positions still failing', async () => {
    const time = clock(5_000);
    const putRecords: PutRecords = async (records) =>
      records.map((r) =>
        text(r) === 'record-1'
          ? { ok: false, errorCode: 'ServiceUnavailableException', errorMessage: 'x' }
          : { ok: true, recordId: 'id' },
      );
    const outcome = await putWithRetry(bytes(3), { putRecords, ...time, random: () => 0.99 });
    expect(outcome.failed).toEqual([1]);
    expect(time.elapsed()).toBeLessThanOrEqual(5_000 - defaultRetryPolicy.reserveMs);
    expect(outcome.attempts).toBeGreaterThan(3);
  });

  it('makes one attempt even when no time is left, and counts a missing entry as failed', async () => {
    const putRecords: PutRecords = async () => [{ ok: true, recordId: 'only-first' }];
    const outcome = await putWithRetry(bytes(2), { putRecords, ...clock(0), random: () => 0 });
    expect(outcome).toEqual({ failed: [1], retried: 0, attempts: 1 });
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000, reserveMs: 0 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0.999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});
